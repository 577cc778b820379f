// [simulator] The simulator as a process: compiled the way the build compiles it, started with an environment, it
// announces itself on stdout, serves, and stops on SIGTERM; a wrong environment stops it with one line.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '@kubelabs/testing';

let buildDir: string;
let mainJs: string;

beforeAll(() => {
  mkdirSync(join(repoRoot, '.lane'), { recursive: true });
  buildDir = mkdtempSync(join(repoRoot, '.lane', 'simulator-build-'));
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/@swc/cli/bin/swc.js'),
      'simulator/src',
      // The simulator shares the platform's label keys (libs/domain): compile the libs beside it.
      'libs',
      '-d',
      buildDir,
      '--quiet',
      '--ignore',
      '**/*.spec.ts',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  mainJs = join(buildDir, 'simulator/src/main.js');
});

afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)));
  });
  firstLine.catch(() => {}); // awaited only by the tests that expect the process to come up
  return { child, exited, firstLine, stderr: () => stderr };
}

describe('simulator process', () => {
  it('announces its tenant API on stdout, serves it, and stops cleanly on SIGTERM', async () => {
    const simulator = run({
      KUBECONFIG: inject('lanes').kubeconfigPath,
      SIMULATOR_BOOT_MS: '100',
      SIMULATOR_LABEL_SELECTOR: 'kubelabs.io/tenant=none',
    });
    const ready = JSON.parse(await simulator.firstLine) as { simulator: string; tenantApiUrlTemplate: string };
    expect(ready.simulator).toBe('ready');
    expect(ready.tenantApiUrlTemplate).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tenants\/\{namespace\}$/);
    const health = await fetch(new URL('/healthz', ready.tenantApiUrlTemplate.replace('{namespace}', 'x')));
    expect(health.status).toBe(200);
    simulator.child.kill('SIGTERM');
    expect(await simulator.exited).toBe(0);
    expect(simulator.stderr()).toContain('[simulator] SIGTERM received, stopping');
  });

  it('refuses a wrong environment with one line naming the variable', async () => {
    const simulator = run({ KUBECONFIG: inject('lanes').kubeconfigPath, SIMULATOR_FAIL_RATIO: 'often' });
    expect(await simulator.exited).toBe(2);
    expect(simulator.stderr()).toBe(
      '[simulator] invalid configuration: SIMULATOR_FAIL_RATIO must be a number from 0 to 1 (got "often")\n',
    );
  });

  it('stops with one line when the API server cannot be reached', async () => {
    const dir = mkdtempSync(join(buildDir, 'kubeconfig-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    const simulator = run({ KUBECONFIG: kubeconfig });
    expect(await simulator.exited).toBe(1);
    expect(simulator.stderr()).toMatch(/^\[simulator\] cannot list VirtualMachines: .+\n$/);
  });
});
