// Starts one of the floor servers (empty-fastify-main / empty-nest-main, built JS next to this file) as a child
// process, like the platform's services, and waits for the port it prints.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface FloorServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startFloorServer(kind: 'empty-fastify' | 'empty-nest', timeoutMs = 20_000): Promise<FloorServer> {
  const child = spawn(process.execPath, [join(__dirname, `${kind}-main.js`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`${kind} did not start within ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /listening (\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited during start-up: ${stderr}`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
