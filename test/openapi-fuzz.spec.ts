// Fuzzes the running claim API from its own OpenAPI document with schemathesis: generated valid and invalid
// requests (admin key), single and in sequences, must never get a server error, and every answer must have the media
// type and schema the document declares. Bounded: few examples per operation, a fixed seed, one worker, loopback only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Lab } from '@kubelabs/domain';
import { startPlatform, type RunningPlatform } from '../simulator/src/run-platform';
import { schemathesisExecutable } from './support/python-tools';

const fuzzTimeoutMs = 240_000;

// Checks and per-operation settings (schemathesis.toml). The progress stream stays open: one event is enough to check
// its answer.
const schemathesisConfig = `
[checks]
enabled = false
not_a_server_error.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true

[[operations]]
include-name = "GET /v1/claims/{id}/events"
max-stream-events = 1
`;

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

function runBounded(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', COLUMNS: '160' },
    });
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
      const config = join(workDir, 'schemathesis.toml');
      const events = join(workDir, 'events.ndjson');
      writeFileSync(config, schemathesisConfig);
      const { code, output } = await runBounded(
        st,
        [
          '--config-file',
          config,
          'run',
          schemaUrl,
          '--header',
          `Authorization: Bearer ${platform.apiKey}`,
          '--max-examples',
          '50',
          '--seed',
          '20261204',
          '--workers',
          '1',
          '--request-timeout',
          '10',
          '--generation-database',
          'none',
          '--report',
          'ndjson',
          '--report-ndjson-path',
          events,
          '--no-color',
        ],
        { cwd: workDir, timeoutMs: fuzzTimeoutMs - 20_000 },
      );
      const statuses = [...readFileSync(events, 'utf8').matchAll(/"status_code":\s*(\d{3})/g)].map((match) =>
        Number(match[1]),
      );
      expect(statuses.length, output).toBeGreaterThan(100);
      const serverErrors = statuses.filter((status) => status >= 500);
      const unhandled =
        platform.services.get('claim-api')?.logs.filter((line) => line.includes('"unhandled error"')) ?? [];
      expect({ serverErrors, unhandled }).toEqual({ serverErrors: [], unhandled: [] });
      expect(code, output).toBe(0);
    },
    fuzzTimeoutMs,
  );
});
