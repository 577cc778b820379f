// Every service starts, connects, reports /healthz and /readyz, exposes Prometheus metrics, logs JSON and stops
// cleanly on SIGTERM; a bad variable stops it at start-up with one line naming it.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { isolatedEnv } from './support/platform-env';
import { serviceNames, startServiceProcess } from './support/service-process';

/** The webhook dispatcher needs the sealing key; it alone has no use for the Kubernetes API. */
const webhookKey = { WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64') };
const usesKubernetes = (name: string) => name !== 'webhook-dispatcher';

describe.each(serviceNames)('the %s service', (name) => {
  it('starts, reports health and readiness, serves metrics, logs JSON and stops cleanly on SIGTERM', async () => {
    const service = await startServiceProcess(name, isolatedEnv(inject('lanes'), webhookKey));
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${service.url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, boolean> };
      expect(ready.status).toBe(200);
      expect(body.checks).toMatchObject({ mongo: true, nats: true, ...(usesKubernetes(name) && { kubernetes: true }) });
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^# TYPE kubelabs_process_cpu_user_seconds_total counter$/m);
      const jsonLines = service.logs
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(jsonLines.length).toBeGreaterThan(0);
      expect(
        jsonLines.some((l) => l.service === name && typeof l.level === 'number' && typeof l.msg === 'string'),
      ).toBe(true);
    } finally {
      const exit = await service.stop('SIGTERM');
      expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    }
    expect(service.logs.join('\n')).toContain('connections closed');
  });
});

describe('service readiness', () => {
  it('reports not ready (503) while the Kubernetes API does not answer, yet stays alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelabs-deadkube-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: x}}]',
        'contexts: [{name: c, context: {cluster: dead, user: u}}]',
        'current-context: c',
      ].join('\n'),
    );
    const service = await startServiceProcess('syncer', isolatedEnv(inject('lanes'), { KUBECONFIG: kubeconfig }));
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, boolean> }).checks).toMatchObject({
        mongo: true,
        nats: true,
        kubernetes: false,
      });
    } finally {
      await service.stop();
    }
  });

  it('stops at start-up with one line naming a malformed variable', async () => {
    const service = await startServiceProcess(
      'pool-manager',
      { ...isolatedEnv(inject('lanes')), MONGO_URL: 'not-a-url' },
      { waitHealthy: false },
    );
    const exit = await service.exited;
    expect(exit.code).toBe(78);
    expect(service.logs).toEqual(['invalid configuration: MONGO_URL must be a mongodb:// URL that names a database']);
  });

  it('stops the webhook dispatcher at start-up with one line when it has no sealing key', async () => {
    const service = await startServiceProcess('webhook-dispatcher', isolatedEnv(inject('lanes')), {
      waitHealthy: false,
    });
    const exit = await service.exited;
    expect(exit.code).toBe(78);
    expect(service.logs).toEqual(['invalid configuration: WEBHOOK_SECRET_KEY is required']);
  });
});
