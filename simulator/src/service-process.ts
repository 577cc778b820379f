// [simulator] Runs a built platform service (dist/services/<name>/src/main.js) as a real child process for end-to-end tests:
// captures its JSON log lines, waits for /healthz, and stops it with a chosen signal and a bounded grace.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, repoRoot, spawnChild, stopChild, waitFor } from '@kubelabs/testing';

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM), then SIGKILL after `graceMs` (default 30 s); resolves with how it exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const serviceNames = [
  'claim-api',
  'pool-manager',
  'provisioner',
  'netpol-enforcer',
  'syncer',
  'webhook-dispatcher',
] as const;
export type ServiceName = (typeof serviceNames)[number];

export function serviceEntry(name: string): string {
  const entry = join(repoRoot, 'dist', 'services', name, 'src', 'main.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: build first (npm test builds; or bash scripts/run.sh build)`);
  return entry;
}

export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  {
    waitHealthy = true,
    entry = serviceEntry(name),
    timeoutMs = 60_000,
    port: fixedPort,
  }: { waitHealthy?: boolean; entry?: string; timeoutMs?: number; port?: number | undefined } = {},
): Promise<ServiceProcess> {
  const port = fixedPort ?? (await findFreePort());
  const portEnv = name === 'claim-api' ? { CLAIM_API_PORT: String(port) } : { HTTP_PORT: String(port) };
  const child = spawnChild(process.execPath, ['--enable-source-maps', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...portEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(line);
    if (logs.length > 20_000) logs.splice(0, logs.length - 20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    port,
    url,
    child,
    logs,
    exited,
    stop: async (signal = 'SIGTERM', graceMs = 30_000) => {
      await stopChild(child, { signal, graceMs });
      return exited;
    },
  };
  if (waitHealthy) {
    let gone = false;
    void exited.then(() => (gone = true));
    try {
      // An exit ends the wait at once (and fails below) rather than after the whole timeout.
      await waitFor(`${name} /healthz`, async () => gone || (await fetch(`${url}/healthz`)).ok, { timeoutMs });
    } catch (error) {
      await service.stop('SIGKILL', 0);
      throw error;
    }
    if (gone) throw new Error(`${name} exited during start-up:\n${logs.slice(-20).join('\n')}`);
  }
  return service;
}
