// Fuzzes the running claim API from its own OpenAPI document with schemathesis: generated valid and invalid
// requests (admin key) must never get a server error, and every answer must match the schema the document declares.
// Bounded: few examples per operation, a fixed seed, one worker, loopback only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Lab } from '@kubelabs/domain';
import { startPlatform, type RunningPlatform } from '../simulator/src/run-platform';
import { schemathesisExecutable } from './support/python-tools';

const fuzzTimeoutMs = 240_000;

function fuzzLab(id: string): Lab {
  return {
    id,
    title: `Fuzz lab ${id}`,
    description: 'A lab for the fuzz test',
    level: 'beginner',
    hints: [],
    tags: ['test'],
    kubernetesVersions: ['1.36'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    setup: {},
    session: { durationMinutes: 60, maxExtensionMinutes: 30 },
    pool: { minReady: 1, maxTotal: 2 },
  };
}

function runBounded(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', COLUMNS: '160' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the claim API under schemathesis', () => {
  let platform: RunningPlatform;
  let st: string;
  let workDir: string;

  beforeAll(async () => {
    const lanes = inject('lanes');
    [st, platform] = await Promise.all([
      schemathesisExecutable(),
      startPlatform({
        natsUrl: lanes.natsUrl,
        mongoUrl: lanes.mongoUrl,
        kubeconfigPath: lanes.kubeconfigPath,
        labs: [fuzzLab('fuzz-a'), fuzzLab('fuzz-b')],
        simulator: { bootMs: 200 },
      }),
    ]);
    workDir = mkdtempSync(join(tmpdir(), 'kubelabs-fuzz-'));
  });

  afterAll(async () => {
    await platform?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it(
    'answers every generated request without a server error and as its OpenAPI document says',
    async () => {
      const schemaUrl = `${platform.claimApiUrl}/openapi.json`;
      expect(new URL(schemaUrl).hostname).toBe('127.0.0.1');
      const { code, output } = await runBounded(
        st,
        [
          'run',
          schemaUrl,
          '--header',
          `Authorization: Bearer ${platform.apiKey}`,
          '--checks',
          'not_a_server_error,response_schema_conformance,content_type_conformance',
          // Stateful sequences could revoke the admin key read from GET /v1/api-keys and end the run in 401s.
          '--phases',
          'examples,coverage,fuzzing',
          '--max-examples',
          '25',
          '--seed',
          '20261204',
          '--workers',
          '1',
          '--request-timeout',
          '10',
          '--max-time',
          '150',
          '--generation-database',
          'none',
          '--no-color',
        ],
        { cwd: workDir, timeoutMs: fuzzTimeoutMs - 20_000 },
      );
      const serverErrors = output.split('\n').filter((line) => /\b5\d\d\b.*(Server Error|Internal)|Server error/i.test(line));
      const serviceErrors = platform.services.get('claim-api')?.logs.filter((line) => line.includes('"unhandled error"')) ?? [];
      expect({ serverErrors, serviceErrors }).toEqual({ serverErrors: [], serviceErrors: [] });
      expect(code, output).toBe(0);
    },
    fuzzTimeoutMs,
  );
});
