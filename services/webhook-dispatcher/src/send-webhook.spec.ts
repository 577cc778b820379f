// One attempt against a local receiver (the network edge): the signed request arrives as rendered, statuses and
// Retry-After come back, a name that resolves into a refused range is refused at connection time, redirects are not
// followed, and a receiver that never answers costs at most the timeout.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '@kubelabs/domain';
import { renderWebhookRequest } from './render-webhook-request';
import { sendWebhook } from './send-webhook';

describe('sendWebhook', () => {
  let server: Server;
  let port = 0;
  const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const allowLoopback = { refusedCidrs: [], allowedCidrs: ['127.0.0.1/32', '::1/128'] };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/ok') res.writeHead(204).end();
        else if (req.url === '/busy') res.writeHead(429, { 'retry-after': '7' }).end();
        else if (req.url === '/moved') res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
        // '/silent' never answers
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const request = renderWebhookRequest({
    body: '{"specversion":"1.0","id":"e1","type":"tenant.claimed"}',
    secret: 'whsec_unit',
    subscriptionId: 'wh-1',
    deliveryId: 'wh-1:e1',
    attempt: 2,
    now: new Date(),
  });

  it('posts the rendered, signed request and reports a 2xx', async () => {
    const result = await sendWebhook(`http://127.0.0.1:${port}/ok`, request, {
      rules: allowLoopback,
      timeoutMs: 2_000,
    });
    expect(result).toEqual({ kind: 'response', status: 204 });
    const got = seen.find((s) => s.path === '/ok')!;
    expect(got.body).toBe(request.body);
    expect(got.headers['kubelabs-delivery-attempt']).toBe('2');
    expect(
      verifyWebhook({
        secret: 'whsec_unit',
        body: got.body,
        signature: got.headers['kubelabs-signature'] as string,
        timestamp: got.headers['kubelabs-timestamp'] as string,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toBe(true);
  });

  it("reports the receiver's Retry-After", async () => {
    const result = await sendWebhook(`http://127.0.0.1:${port}/busy`, request, {
      rules: allowLoopback,
      timeoutMs: 2_000,
    });
    expect(result).toEqual({ kind: 'response', status: 429, retryAfterMs: 7_000 });
  });

  it('does not follow a redirect', async () => {
    const result = await sendWebhook(`http://127.0.0.1:${port}/moved`, request, {
      rules: allowLoopback,
      timeoutMs: 2_000,
    });
    expect(result).toEqual({ kind: 'response', status: 302 });
  });

  it('refuses a host name that resolves into a refused range, before connecting', async () => {
    const before = seen.length;
    const result = await sendWebhook(`http://localhost:${port}/ok`, request, {
      rules: { refusedCidrs: [], allowedCidrs: [] },
      timeoutMs: 2_000,
    });
    expect(result.kind).toBe('refused');
    expect(seen.length).toBe(before);
  });

  it('refuses an IP literal in a refused range without a lookup', async () => {
    const result = await sendWebhook('http://10.96.0.1/hook', request, {
      rules: { refusedCidrs: ['10.96.0.0/12'], allowedCidrs: [] },
      timeoutMs: 2_000,
    });
    expect(result.kind).toBe('refused');
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const started = Date.now();
    const result = await sendWebhook(`http://127.0.0.1:${port}/silent`, request, {
      rules: allowLoopback,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('300 ms') });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
