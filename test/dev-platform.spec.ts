// `npm run dev` as an operator runs it: its own lanes, .lane/env written like `npm run lane -- up`, and a Ctrl-C that
// leaves no process behind within ten seconds. Runs the built dev platform (dist/) with its lane dir moved to a
// temporary directory, so a developer's own .lane/env is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { KubeClient } from '@kubelabs/kube';
import { findFreePort, pingMongo, repoRoot, waitFor } from '@kubelabs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = join(repoRoot, 'dist', 'simulator', 'src', 'dev-platform.js');
const apiKey = 'dev_platform_spec_0123456789';

/** A process as /proc shows it; the start time tells it apart from a later process given the same pid. */
interface ProcessId {
  pid: number;
  startTime: string;
  cmdline: string;
}

const readProc = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
};

function stat(pid: number): { state: string; startTime: string } | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // After the parenthesised command name: the state is field 3 of the file, the start time field 22.
  const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
  return { state: fields[0]!, startTime: fields[19]! };
}

function descendants(pid: number): ProcessId[] {
  const tasks = existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`) : [];
  const children = tasks.flatMap((task) =>
    (readProc(`/proc/${pid}/task/${task}/children`) ?? '').split(/\s+/).filter(Boolean).map(Number),
  );
  return children.flatMap((child) => {
    const info = stat(child);
    const cmdline = readProc(`/proc/${child}/cmdline`);
    if (!info || cmdline === undefined) return [];
    return [{ pid: child, startTime: info.startTime, cmdline: cmdline.replace(/\0/g, ' ') }, ...descendants(child)];
  });
}

/** Alive: the same process (same start time) and not a zombie waiting for its new parent to reap it. */
function alive(p: ProcessId): boolean {
  const info = stat(p.pid);
  return !!info && info.startTime === p.startTime && info.state !== 'Z';
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)].map((m) => [m[1]!, m[2]!.replace(/'\\''/g, "'")]),
  );
}

describe('npm run dev (dist/simulator/src/dev-platform.js)', () => {
  let laneDir: string;
  let dev: ChildProcess;
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let port: number;
  let tracked: ProcessId[] = [];
  const developersEnvFile = join(repoRoot, '.lane', 'env');
  const developersEnv = existsSync(developersEnvFile) ? readFileSync(developersEnvFile, 'utf8') : undefined;

  beforeAll(async () => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (bash scripts/run.sh build)`);
    laneDir = mkdtempSync(join(tmpdir(), 'kubelabs-dev-lane-'));
    port = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLAIM_API_PORT: String(port),
      DEV_API_KEY: apiKey,
      KUBELABS_LANE_DIR: laneDir,
      // Its own local servers: the point is that every one of them is gone after the Ctrl-C.
      KUBELABS_LANE: 'local',
    };
    for (const name of ['NATS_URL', 'MONGO_URL', 'KUBECONFIG', 'KUBELABS_ETCD_URL', 'DEV_VERBOSE']) delete env[name];
    // Its own process group, as a shell runs a foreground job: a terminal's Ctrl-C signals that whole group.
    dev = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.once('exit', (code, signal) => (exit = { code, signal }));
  });

  afterAll(() => {
    // Only after a failure is anything left; never leave it running.
    const left = dev?.pid && !exit ? [...tracked, ...descendants(dev.pid)] : tracked;
    for (const p of left) if (alive(p)) kill(p.pid);
    if (dev?.pid && !exit) kill(-dev.pid);
    rmSync(laneDir, { recursive: true, force: true });
  });

  it('serves claims, writes .lane/env pointing at live servers, and stops every process within 10 s of Ctrl-C', async () => {
    await waitFor(
      'the dev platform to say it is up and serve GET /v1/labs',
      async () => {
        if (exit) throw new Error(`the dev platform exited (${JSON.stringify(exit)}):\n${output.slice(-3000)}`);
        if (!output.includes('[dev] kubelabs is up')) return false;
        const res = await fetch(`http://127.0.0.1:${port}/v1/labs`, { headers: { authorization: `Bearer ${apiKey}` } });
        return res.ok;
      },
      { timeoutMs: 240_000, intervalMs: 250 },
    );

    const env = parseEnvFile(readFileSync(join(laneDir, 'env'), 'utf8'));
    expect(Object.keys(env).toSorted()).toEqual(['KUBECONFIG', 'KUBELABS_ETCD_URL', 'MONGO_URL', 'NATS_URL']);
    expect(env.KUBECONFIG).toBe(join(laneDir, 'kubeconfig'));
    expect(output).toContain(`host cluster: KUBECONFIG=${env.KUBECONFIG}`);
    const nats = await connect({ servers: env.NATS_URL!, reconnect: false, timeout: 2000 });
    await nats.close();
    await expect(pingMongo(env.MONGO_URL!)).resolves.toBe(true);
    await KubeClient.create({ kubeconfigPath: env.KUBECONFIG!, fieldManager: 'dev-platform-spec' }).ping();

    tracked = descendants(dev.pid!);
    const commands = tracked.map((p) => p.cmdline).join('\n');
    for (const server of ['nats-server', 'Main', 'etcd', 'kube-apiserver', 'kube-controller-manager'])
      expect(commands).toContain(server);
    for (const service of [
      'claim-api',
      'pool-manager',
      'provisioner',
      'netpol-enforcer',
      'syncer',
      'webhook-dispatcher',
    ])
      expect(commands).toContain(`services/${service}/src/main.js`);

    process.kill(-dev.pid!, 'SIGINT');
    await waitFor('the dev platform and all its descendants to be gone', () => !!exit && !tracked.some(alive), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/\[dev\] stopped in \d+\.\ds/);
    expect(existsSync(join(laneDir, 'env'))).toBe(false);
    expect(existsSync(join(laneDir, 'kubeconfig'))).toBe(false);
    expect(existsSync(developersEnvFile) ? readFileSync(developersEnvFile, 'utf8') : undefined).toBe(developersEnv);
  }, 300_000);
});
