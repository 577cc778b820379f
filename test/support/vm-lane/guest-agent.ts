// The VM lane's way into a guest: the QEMU guest agent over its virtio-serial channel, as KubeVirt talks to it (the
// node image ships qemu-guest-agent for KubeVirt's accessCredentials). Reads the bootstrap marker and runs commands
// without SSH keys or a network path into the VM. Every call is bounded by a deadline.
import { createConnection, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';

export interface GuestExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class GuestAgent {
  constructor(private readonly socketPath: string) {}

  /** True once the agent answers a guest-sync. */
  async ping(timeoutMs = 3000): Promise<boolean> {
    try {
      await this.session(timeoutMs, async () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** The file's content, or undefined when it does not exist (or the agent is not up yet). */
  async readFile(path: string, timeoutMs = 10_000): Promise<string | undefined> {
    try {
      return await this.session(timeoutMs, async (call) => {
        const handle = (await call('guest-file-open', { path, mode: 'r' })) as number;
        const chunks: Buffer[] = [];
        try {
          for (let i = 0; i < 1024; i++) {
            const read = (await call('guest-file-read', { handle, count: 65536 })) as {
              'buf-b64': string;
              eof: boolean;
            };
            chunks.push(Buffer.from(read['buf-b64'], 'base64'));
            if (read.eof) break;
          }
        } finally {
          await call('guest-file-close', { handle });
        }
        return Buffer.concat(chunks).toString('utf8');
      });
    } catch {
      return undefined;
    }
  }

  /** Runs a program in the guest as root and waits (bounded) for it to finish. */
  async exec(path: string, args: string[], timeoutMs = 60_000): Promise<GuestExecResult> {
    return this.session(timeoutMs, async (call) => {
      const { pid } = (await call('guest-exec', { path, arg: args, 'capture-output': true })) as { pid: number };
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const status = (await call('guest-exec-status', { pid })) as {
          exited: boolean;
          exitcode?: number;
          'out-data'?: string;
          'err-data'?: string;
        };
        if (status.exited) {
          return {
            exitCode: status.exitcode ?? -1,
            stdout: Buffer.from(status['out-data'] ?? '', 'base64').toString('utf8'),
            stderr: Buffer.from(status['err-data'] ?? '', 'base64').toString('utf8'),
          };
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${path} did not finish within ${timeoutMs} ms`);
    });
  }

  /** One connection: synchronise (stale answers from an earlier session are skipped), then run `body`. */
  private async session<T>(
    timeoutMs: number,
    body: (call: (command: string, args?: Record<string, unknown>) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const socket = createConnection(this.socketPath);
    const lines = lineReader(socket);
    const timer = setTimeout(
      () => socket.destroy(new Error(`guest agent: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const id = randomInt(1, 2 ** 31);
      socket.write(`${JSON.stringify({ execute: 'guest-sync', arguments: { id } })}\n`);
      for (;;) {
        const answer = JSON.parse(await lines.next()) as { return?: unknown };
        if (answer.return === id) break;
      }
      const call = async (command: string, args?: Record<string, unknown>): Promise<unknown> => {
        socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
        const answer = JSON.parse(await lines.next()) as { return?: unknown; error?: { desc?: string } };
        if (answer.error) throw new Error(`guest agent ${command}: ${answer.error.desc ?? 'error'}`);
        return answer.return;
      };
      return await body(call);
    } finally {
      clearTimeout(timer);
      socket.destroy();
    }
  }
}

/** Newline-delimited JSON from the agent; the 0xFF sentinel some answers start with is dropped. */
function lineReader(socket: Socket): { next(): Promise<string> } {
  let buffer = '';
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const ready: string[] = [];
  let failure: Error | undefined;
  socket.on('data', (data: Buffer) => {
    buffer += data.toString('latin1').replaceAll('\xff', '');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line === '') continue;
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(line);
      else ready.push(line);
    }
  });
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('guest agent connection closed')));
  return {
    next: () => {
      const line = ready.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
