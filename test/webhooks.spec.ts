// Outgoing webhooks against the real platform (claim API, pool manager, provisioner, enforcer, webhook dispatcher) and
// a local HTTP receiver, the only stand-in: it fails its first attempts, and still gets every event exactly once, each
// attempt signed and timestamped; a target that never answers 2xx ends in the dead letters after the retry bound and
// is delivered on redelivery; refused targets are refused at subscription time; the secret is never stored in clear.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openWebhookFields, verifyWebhook, webhookHeaders } from '@kubelabs/domain';
import { repoRoot, waitFor } from '@kubelabs/testing';
import { startPlatform, type RunningPlatform } from '../simulator/src/run-platform';
import { startServiceProcess } from './support/service-process';
import { api, studentKey, testLab } from './support/platform-client';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  answered: number;
}

/** The receiver: per path, how many attempts of each event fail (503) before one is answered 204. */
class Receiver {
  readonly requests: Received[] = [];
  readonly failFirst = new Map<string, number>();
  /** Paths whose requests get no answer at all (the receiver hangs) while listed. */
  readonly hang = new Set<string>();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        if (this.hang.has(path)) {
          this.requests.push({ path, headers: req.headers, body, receivedAt: Date.now(), answered: 0 });
          return;
        }
        const eventId = (JSON.parse(body) as { id: string }).id;
        const before = this.requests.filter((r) => r.path === path && JSON.parse(r.body).id === eventId).length;
        const answered = before < (this.failFirst.get(path) ?? 0) ? 503 : 204;
        this.requests.push({ path, headers: req.headers, body, receivedAt: Date.now(), answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The receiver's check as contracts/README.md documents it, loaded from the example file the README shows. */
const verifyExample = join(repoRoot, 'contracts', 'examples', 'verify-webhook.mjs');
type DocumentedVerify = (secret: string, rawBody: string, headers: IncomingHttpHeaders, nowSeconds?: number) => boolean;
const documented = async (): Promise<DocumentedVerify> =>
  ((await import(pathToFileURL(verifyExample).href)) as { verify: DocumentedVerify }).verify;

const eventOf = (r: Received) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> };

describe('outgoing webhooks', () => {
  let platform: RunningPlatform;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    const lanes = inject('lanes');
    platform = await startPlatform({
      natsUrl: lanes.natsUrl,
      mongoUrl: lanes.mongoUrl,
      kubeconfigPath: lanes.kubeconfigPath,
      labs: [testLab('hooks', { minReady: 2, maxTotal: 4 })],
      services: ['claim-api', 'pool-manager', 'provisioner', 'netpol-enforcer', 'webhook-dispatcher'],
      simulator: { bootMs: 200 },
      // The receiver listens on loopback, which is refused unless explicitly allowed.
      env: { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' },
      serviceEnv: {
        'webhook-dispatcher': {
          WEBHOOK_MAX_ATTEMPTS: '4',
          WEBHOOK_RETRY_BASE_MS: '100',
          WEBHOOK_RETRY_MAX_MS: '400',
          WEBHOOK_POLL_INTERVAL_MS: '100',
          // An attempt's lease is this plus 5 s: what a killed dispatcher leaves held is sent again after that.
          WEBHOOK_TIMEOUT_MS: '1000',
        },
      },
    });
    await waitFor(
      'the hooks pool to have ready tenants',
      async () => {
        const rows = (await api<{ labId: string; ready: number }[]>(platform, 'GET', '/v1/pools')).body;
        return rows.some((row) => row.labId === 'hooks' && row.ready >= 2);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    await platform?.stop();
    await receiver.stop();
  });

  async function subscribe(path: string, eventTypes: string[]) {
    const created = await api(platform, 'POST', '/v1/webhooks', { url: receiver.url(path), eventTypes });
    expect(created.status).toBe(201);
    return { id: String(created.body.id), secret: String(created.body.secret) };
  }

  it.each([
    { name: 'cloud metadata (link-local)', url: 'http://169.254.169.254/latest/meta-data/' },
    { name: 'loopback outside the allowance', url: 'http://127.0.0.2:8080/hook' },
    { name: "the host cluster's Service range", url: 'http://10.96.0.1/hook' },
    { name: 'a mapped IPv6 loopback', url: 'http://[::ffff:7f00:2]/hook' },
    { name: 'a name that does not resolve', url: 'http://no-such-host.invalid/hook' },
  ])('refuses a subscription to $name with problem+json', async ({ url }) => {
    const res = await api(platform, 'POST', '/v1/webhooks', { url, eventTypes: ['tenant.claimed'] });
    expect(res.status).toBe(422);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'webhook.target_refused' });
  });

  it('shows in contracts/README.md the verification example exactly as the file the tests run', () => {
    const code = readFileSync(verifyExample, 'utf8');
    const body = code.slice(code.indexOf('import '));
    expect(readFileSync(join(repoRoot, 'contracts', 'README.md'), 'utf8')).toContain(body.trim());
  });

  it('refuses unknown event types and non-http URLs with problem+json', async () => {
    const badType = await api(platform, 'POST', '/v1/webhooks', {
      url: receiver.url('/x'),
      eventTypes: ['tenant.exploded'],
    });
    expect(badType.status).toBe(400);
    expect(badType.body).toMatchObject({ code: 'input.invalid' });
    const badUrl = await api(platform, 'POST', '/v1/webhooks', {
      url: 'file:///etc/passwd',
      eventTypes: ['tenant.claimed'],
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.contentType).toMatch(/^application\/problem\+json/);
  });

  it('lets only admin keys manage webhooks (403 problem for a claim-scoped key)', async () => {
    const created = await api(platform, 'POST', '/v1/api-keys', { name: 'hooks-claim-only', scopes: ['claim'] });
    expect(created.status).toBe(201);
    const claimOnly = { claimApiUrl: platform.claimApiUrl, apiKey: String(created.body.key) };
    const res = await api(claimOnly, 'POST', '/v1/webhooks', {
      url: receiver.url('/x'),
      eventTypes: ['tenant.claimed'],
    });
    expect(res.status).toBe(403);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect((await api(claimOnly, 'GET', '/v1/webhooks')).status).toBe(403);
  });

  it('answers 503 webhook.disabled from a claim API that has no sealing key, and stores nothing', async () => {
    const bare = await startServiceProcess('claim-api', { ...platform.env, WEBHOOK_SECRET_KEY: '' });
    try {
      const target = { claimApiUrl: bare.url, apiKey: platform.apiKey };
      const before = await platform.persistence.webhookSubscriptions.countDocuments();
      const res = await api(target, 'POST', '/v1/webhooks', {
        url: receiver.url('/x'),
        eventTypes: ['tenant.claimed'],
      });
      expect(res.status).toBe(503);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'webhook.disabled' });
      expect(await platform.persistence.webhookSubscriptions.countDocuments()).toBe(before);
    } finally {
      await bare.stop();
    }
  });

  it('delivers every event exactly once after failed attempts, each attempt signed and timestamped', async () => {
    // A token in the path, as chat incoming-webhook URLs have: the URL is as secret as the signing secret.
    const flaky = '/flaky/T0KEN-5b1e9d2c7a40';
    receiver.failFirst.set(flaky, 2);
    const { id: webhookId, secret } = await subscribe(flaky, ['tenant.claimed', 'tenant.released']);

    // The secret is shown once and stored only sealed.
    expect(secret).toMatch(/^whsec_/);
    const shown = await api(platform, 'GET', `/v1/webhooks/${webhookId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty('secret');
    // The admin sees the URL; MongoDB holds it only sealed, with the host beside it.
    expect(shown.body).toMatchObject({ url: receiver.url(flaky), host: new URL(receiver.url(flaky)).host });
    const raw = await platform.persistence.connection
      .db!.collection('webhook_subscriptions')
      .findOne({ _id: webhookId as never });
    expect(raw).not.toBeNull();
    const rawText = JSON.stringify(raw);
    expect(rawText).not.toContain(secret);
    expect(rawText).not.toContain(secret.slice(6));
    expect(rawText).not.toContain(Buffer.from(secret).toString('base64'));
    expect(String(raw!.sealedSecret)).toMatch(/^v1\./);
    expect(rawText).not.toContain('T0KEN-5b1e9d2c7a40');
    expect(String(raw!.sealedUrl)).toMatch(/^v1\./);

    const claim = await api(platform, 'POST', '/v1/claims', {
      labId: 'hooks',
      userId: 'hook-student',
      sshPublicKey: studentKey('hooks@laptop'),
    });
    expect(claim.status).toBe(201);
    const tenantId = String(claim.body.tenantId);
    expect((await api(platform, 'DELETE', `/v1/claims/${claim.body.id}`)).status).toBe(200);

    const acceptedFor = (type: string) =>
      receiver
        .on(flaky)
        .filter((r) => r.answered === 204 && eventOf(r).type === type && eventOf(r).data.tenantId === tenantId);
    await waitFor(
      'tenant.claimed and tenant.released to be accepted',
      () => acceptedFor('tenant.claimed').length > 0 && acceptedFor('tenant.released').length > 0,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    // Every delivery recorded for this subscription has settled (none is pending a retry that could repeat one).
    await waitFor(
      'every delivery of the subscription to be delivered',
      async () =>
        (await platform.persistence.webhookDeliveries.countDocuments({
          subscriptionId: webhookId,
          state: { $ne: 'delivered' },
        })) === 0,
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    // Nor does it reach the deliveries, the events or any service's log.
    const deliveries = await platform.persistence.connection
      .db!.collection('webhook_deliveries')
      .find({ subscriptionId: webhookId })
      .toArray();
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(deliveries)).not.toContain(secret.slice(6));
    expect(JSON.stringify(deliveries)).not.toContain('T0KEN-5b1e9d2c7a40');
    for (const service of platform.services.values()) {
      expect(service.logs.join('\n'), service.name).not.toContain(secret.slice(6));
      expect(service.logs.join('\n'), service.name).not.toContain('T0KEN-5b1e9d2c7a40');
    }

    const requests = receiver.on(flaky);
    const byEvent = new Map<string, Received[]>();
    for (const r of requests) byEvent.set(eventOf(r).id, [...(byEvent.get(eventOf(r).id) ?? []), r]);
    expect(byEvent.size).toBeGreaterThanOrEqual(2);
    for (const [eventId, attempts] of byEvent) {
      // Exactly once accepted, after exactly the two refusals, in attempt order.
      expect(
        attempts.map((a) => a.answered),
        eventId,
      ).toEqual([503, 503, 204]);
      expect(attempts.map((a) => a.headers[webhookHeaders.attempt])).toEqual(['1', '2', '3']);
    }
    const verifyAsDocumented = await documented();
    for (const r of requests) {
      expect(verifyAsDocumented(secret, r.body, r.headers, Math.floor(r.receivedAt / 1000))).toBe(true);
      expect(verifyAsDocumented(`${secret}x`, r.body, r.headers, Math.floor(r.receivedAt / 1000))).toBe(false);
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(r.headers[webhookHeaders.subscription]).toBe(webhookId);
      const timestamp = String(r.headers[webhookHeaders.timestamp]);
      expect(Math.abs(Number(timestamp) - r.receivedAt / 1000)).toBeLessThan(5);
      expect(
        verifyWebhook({
          secret,
          body: r.body,
          signature: String(r.headers[webhookHeaders.signature]),
          timestamp,
          nowSeconds: Math.floor(r.receivedAt / 1000),
        }),
      ).toBe(true);
      // A replay of the same request ten minutes later is refused by the same check.
      expect(
        verifyWebhook({
          secret,
          body: r.body,
          signature: String(r.headers[webhookHeaders.signature]),
          timestamp,
          nowSeconds: Math.floor(r.receivedAt / 1000) + 600,
        }),
      ).toBe(false);
      // A CloudEvents 1.0 envelope in structured mode.
      expect(JSON.parse(r.body)).toMatchObject({
        specversion: '1.0',
        id: expect.any(String),
        type: expect.any(String),
      });
    }
  });

  it('keeps a dead letter after the retry bound, and delivers it on redelivery', async () => {
    receiver.failFirst.set('/down', 1_000);
    const { id: webhookId, secret } = await subscribe('/down', ['tenant.claimed']);
    const claim = await api(platform, 'POST', '/v1/claims', {
      labId: 'hooks',
      userId: 'dead-letter-student',
      sshPublicKey: studentKey('dead@laptop'),
    });
    expect(claim.status).toBe(201);

    let deadLetters: Array<Record<string, unknown>> = [];
    await waitFor(
      'the delivery to become a dead letter',
      async () => {
        deadLetters = (
          await api<Array<Record<string, unknown>>>(platform, 'GET', `/v1/webhooks/${webhookId}/dead-letters`)
        ).body;
        return deadLetters.length === 1;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(deadLetters[0]).toMatchObject({ eventType: 'tenant.claimed', attempts: 4, lastStatus: 503 });
    expect(deadLetters[0]!.event).toMatchObject({ type: 'tenant.claimed', data: { claimId: claim.body.id } });
    expect(receiver.on('/down')).toHaveLength(4);

    receiver.failFirst.set('/down', 0);
    const redelivered = await api(platform, 'POST', `/v1/webhooks/${webhookId}/redeliver`, {});
    expect(redelivered).toMatchObject({ status: 202, body: { redelivered: 1 } });
    await waitFor('the redelivered event to be accepted', () => receiver.on('/down').some((r) => r.answered === 204), {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const accepted = receiver.on('/down').filter((r) => r.answered === 204);
    expect(accepted).toHaveLength(1);
    expect(eventOf(accepted[0]!).id).toBe(deadLetters[0]!.eventId);
    expect(
      verifyWebhook({
        secret,
        body: accepted[0]!.body,
        signature: String(accepted[0]!.headers[webhookHeaders.signature]),
        timestamp: String(accepted[0]!.headers[webhookHeaders.timestamp]),
        nowSeconds: Math.floor(accepted[0]!.receivedAt / 1000),
      }),
    ).toBe(true);
    expect((await api<unknown[]>(platform, 'GET', `/v1/webhooks/${webhookId}/dead-letters`)).body).toEqual([]);
    await api(platform, 'DELETE', `/v1/claims/${claim.body.id}`);
  });

  it('lists subscriptions without secrets and deletes one with its deliveries', async () => {
    const { id } = await subscribe('/gone', ['tenant.released']);
    const list = await api<Array<Record<string, unknown>>>(platform, 'GET', '/v1/webhooks');
    expect(list.body.map((w) => w.id)).toContain(id);
    expect(list.body.every((w) => !('secret' in w) && !('sealedSecret' in w) && !('sealedUrl' in w))).toBe(true);
    expect(list.body.find((w) => w.id === id)).toMatchObject({ url: receiver.url('/gone') });
    expect((await api(platform, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    const gone = await api(platform, 'GET', `/v1/webhooks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'webhook.not_found' });
    expect((await api(platform, 'GET', `/v1/webhooks/${id}/dead-letters`)).status).toBe(404);
  });

  it('sends again what a dispatcher killed in the middle of an attempt left held, once its lease runs out', async () => {
    receiver.hang.add('/crash');
    const { id: webhookId } = await subscribe('/crash', ['tenant.claimed']);
    const claim = await api(platform, 'POST', '/v1/claims', {
      labId: 'hooks',
      userId: 'crash-student',
      sshPublicKey: studentKey('crash@laptop'),
    });
    // Active at once, or as soon as the pool has rebuilt a tenant released by the tests above.
    expect([201, 202]).toContain(claim.status);
    await waitFor('the first attempt to reach the receiver', () => receiver.on('/crash').length > 0, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    // Killed while the receiver holds the request: the attempt is neither recorded nor finished.
    await platform.restart('webhook-dispatcher', 'SIGKILL');
    receiver.hang.delete('/crash');
    await waitFor(
      'the held delivery to be sent again and accepted',
      () => receiver.on('/crash').some((r) => r.answered === 204),
      {
        timeoutMs: 30_000,
        intervalMs: 50,
      },
    );
    await waitFor(
      'the delivery to be recorded as delivered',
      async () =>
        (await platform.persistence.webhookDeliveries.countDocuments({
          subscriptionId: webhookId,
          state: 'delivered',
        })) === 1,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const requests = receiver.on('/crash');
    expect(new Set(requests.map((r) => eventOf(r).id)).size).toBe(1);
    expect(requests.filter((r) => r.answered === 204)).toHaveLength(1);
    // The second attempt came only after the first one's lease (timeout + 5 s) ran out, not at once.
    expect(requests.at(-1)!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(5_000);
    await api(platform, 'DELETE', `/v1/claims/${claim.body.id}`);
  });

  it('rotates the sealing key: a subscription sealed under the old key is delivered and sealed again under the new', async () => {
    const { id: webhookId, secret } = await subscribe('/rotated', ['tenant.claimed']);
    const oldKey = platform.env.WEBHOOK_SECRET_KEY!;
    const newKey = randomBytes(32).toString('base64');
    const sealedNow = async () =>
      (await platform.persistence.connection
        .db!.collection('webhook_subscriptions')
        .findOne({ _id: webhookId as never })) as unknown as { _id: string; sealedSecret: string; sealedUrl: string };
    const opensWith = async (key: string) => {
      const doc = await sealedNow();
      return openWebhookFields(
        { id: doc._id, sealedSecret: doc.sealedSecret, sealedUrl: doc.sealedUrl },
        { current: Buffer.from(key, 'base64'), previous: [] },
      );
    };
    expect(await opensWith(oldKey)).toBeDefined();
    expect(await opensWith(newKey)).toBeUndefined();

    // The operator's rotation: the new key becomes current, the old one previous, on both services.
    platform.env.WEBHOOK_SECRET_KEY = newKey;
    platform.env.WEBHOOK_PREVIOUS_SECRET_KEYS = oldKey;
    // A restarted claim API listens on a port of its own.
    const rotated = { claimApiUrl: (await platform.restart('claim-api')).url, apiKey: platform.apiKey };
    await platform.restart('webhook-dispatcher');
    const claim = await api(rotated, 'POST', '/v1/claims', {
      labId: 'hooks',
      userId: 'rotated-student',
      sshPublicKey: studentKey('rotated@laptop'),
    });
    expect([201, 202]).toContain(claim.status);
    await waitFor(
      'the event to be accepted, signed with the same secret',
      () => receiver.on('/rotated').some((r) => r.answered === 204),
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const accepted = receiver.on('/rotated').find((r) => r.answered === 204)!;
    expect(
      verifyWebhook({
        secret,
        body: accepted.body,
        signature: String(accepted.headers[webhookHeaders.signature]),
        timestamp: String(accepted.headers[webhookHeaders.timestamp]),
        nowSeconds: Math.floor(accepted.receivedAt / 1000),
      }),
    ).toBe(true);
    // Delivering it sealed it again under the new key: the old key no longer opens what is stored.
    await waitFor(
      'the subscription to be sealed under the new key',
      async () => (await opensWith(newKey)) !== undefined,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    expect(await opensWith(oldKey)).toBeUndefined();
    expect(await opensWith(newKey)).toEqual({ secret, url: receiver.url('/rotated') });
    const shown = await api(rotated, 'GET', `/v1/webhooks/${webhookId}`);
    expect(shown.body).toMatchObject({ url: receiver.url('/rotated') });
    await api(rotated, 'DELETE', `/v1/claims/${claim.body.id}`);
  });
});
