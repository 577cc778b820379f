// Starts a lane's server binary as a child process on loopback, waits until it answers, and stops it. Shared by
// every local lane so that start-up, logging and shutdown behave the same way for each server.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnChild, stopChild } from './process-groups';

export interface LaneProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback TCP port. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `probe` until it resolves true, or throws after `timeoutMs` with the last error. Bounded, no fixed sleeps. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

export interface StartLaneProcessOptions {
  name: string;
  command: string;
  args: string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export async function startLaneProcess(options: StartLaneProcessOptions): Promise<LaneProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawnChild(options.command, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const stop = async (): Promise<void> => {
    if (exited || child.exitCode !== null) return;
    await stopChild(child, { graceMs: 10_000 });
    log.end();
  };
  try {
    await waitFor(
      `${options.name} to answer (log: ${logFile})`,
      async () => {
        if (exited) throw new Error(`${options.name} ${exited}; see ${logFile}`);
        return options.ready();
      },
      { timeoutMs: options.readyTimeoutMs ?? 60_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: options.name, pid: child.pid ?? -1, logFile, stop };
}
