// Webhook decisions as tables: the signature a receiver recomputes, the sealed secret that opens only with its key and
// subscription, the targets refused by default, and what follows each attempt (delivered, retry with backoff, dead).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  openWebhookFields,
  openWebhookSecret,
  openWebhookUrl,
  parseRetryAfter,
  planAttemptOutcome,
  planWebhookUrl,
  refusalOf,
  sealWebhookSecret,
  sealWebhookUrl,
  signWebhook,
  verifyWebhook,
  type AttemptResult,
} from './webhook';

describe('signWebhook and verifyWebhook', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1"}';
  const now = 1_800_000_000;

  it('signs "<timestamp>.<body>" with HMAC-SHA256, as a receiver recomputes it', () => {
    // Computed independently: printf '1800000000.{"id":"e1"}' | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook(secret, now, body)).toBe('v1=b42cea22ffdaf1260befffe780b65c2b4329084ba2ae2223eafc00daf6803b75');
    expect(signWebhook(secret, now, body)).not.toBe(signWebhook(secret, now + 1, body));
  });

  it.each([
    { name: 'a fresh, correct signature', change: {}, valid: true },
    {
      name: 'one of several signatures',
      change: { signature: `v1=00,${signWebhook(secret, now, body)}` },
      valid: true,
    },
    { name: 'a changed body', change: { body: '{"id":"e2"}' }, valid: false },
    { name: 'another secret', change: { secret: 'whsec_other' }, valid: false },
    { name: 'a timestamp 6 minutes old', change: { nowSeconds: now + 360 }, valid: false },
    { name: 'a timestamp from the future', change: { nowSeconds: now - 360 }, valid: false },
    { name: 'no signature', change: { signature: undefined }, valid: false },
    { name: 'a timestamp that is not a number', change: { timestamp: '1e9' }, valid: false },
  ])('accepts $name: $valid', ({ change, valid }) => {
    const input = {
      secret,
      body,
      signature: signWebhook(secret, now, body) as string | undefined,
      timestamp: String(now) as string | undefined,
      nowSeconds: now + 10,
      ...change,
    };
    expect(verifyWebhook(input)).toBe(valid);
  });
});

describe('sealWebhookSecret', () => {
  const key = randomBytes(32);

  it('opens with its key and subscription, and with nothing else', () => {
    const sealed = sealWebhookSecret('whsec_abc', key, 'wh-1');
    expect(sealed).not.toContain('whsec_abc');
    expect(openWebhookSecret(sealed, key, 'wh-1')).toBe('whsec_abc');
    expect(openWebhookSecret(sealed, randomBytes(32), 'wh-1')).toBeUndefined();
    expect(openWebhookSecret(sealed, key, 'wh-2')).toBeUndefined();
    expect(openWebhookSecret('garbage', key, 'wh-1')).toBeUndefined();
  });

  it('seals a target URL that opens only as that subscription’s URL, never as its secret (or the reverse)', () => {
    const url = 'https://hooks.example.org/services/T000/B000/XXXXXXXXXXXXXXXX';
    const sealed = sealWebhookUrl(url, key, 'wh-1');
    expect(sealed).not.toContain('XXXXXXXXXXXXXXXX');
    expect(openWebhookUrl(sealed, key, 'wh-1')).toBe(url);
    expect(openWebhookUrl(sealed, key, 'wh-2')).toBeUndefined();
    expect(openWebhookUrl(sealed, randomBytes(32), 'wh-1')).toBeUndefined();
    expect(openWebhookSecret(sealed, key, 'wh-1')).toBeUndefined();
    expect(openWebhookUrl(sealWebhookSecret('whsec_abc', key, 'wh-1'), key, 'wh-1')).toBeUndefined();
  });

  it('never seals the same secret to the same text twice (a fresh nonce each time)', () => {
    expect(sealWebhookSecret('whsec_abc', key, 'wh-1')).not.toBe(sealWebhookSecret('whsec_abc', key, 'wh-1'));
  });
});

describe('openWebhookFields (key rotation)', () => {
  const [oldKey, newKey, otherKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const url = 'https://lms.example.org/hooks/tok-1';
  const sealedUnder = (key: Buffer) => ({
    id: 'wh-1',
    sealedSecret: sealWebhookSecret('whsec_abc', key, 'wh-1'),
    sealedUrl: sealWebhookUrl(url, key, 'wh-1'),
  });

  it.each([
    {
      name: 'sealed under the current key: opened, nothing to re-seal',
      sealed: newKey,
      previous: [oldKey],
      opens: true,
      reseals: false,
    },
    {
      name: 'sealed under a previous key: opened and re-sealed',
      sealed: oldKey,
      previous: [otherKey, oldKey],
      opens: true,
      reseals: true,
    },
    {
      name: 'sealed under a key no longer configured',
      sealed: oldKey,
      previous: [otherKey],
      opens: false,
      reseals: false,
    },
  ])('$name', ({ sealed, previous, opens, reseals }) => {
    const opened = openWebhookFields(sealedUnder(sealed), { current: newKey, previous });
    expect(opened !== undefined).toBe(opens);
    if (!opened) return;
    expect([opened.secret, opened.url]).toEqual(['whsec_abc', url]);
    expect(opened.resealed !== undefined).toBe(reseals);
    if (opened.resealed) {
      // What is stored after the rotation opens with the current key alone.
      const again = openWebhookFields({ id: 'wh-1', ...opened.resealed }, { current: newKey, previous: [] });
      expect(again).toEqual({ secret: 'whsec_abc', url });
    }
  });

  it('needs both fields to open under one key', () => {
    const mixed = {
      id: 'wh-1',
      sealedSecret: sealWebhookSecret('whsec_abc', newKey, 'wh-1'),
      sealedUrl: sealWebhookUrl(url, otherKey, 'wh-1'),
    };
    expect(openWebhookFields(mixed, { current: newKey, previous: [oldKey] })).toBeUndefined();
  });
});

describe('refusalOf', () => {
  const rules = { refusedCidrs: ['10.244.0.0/16', '10.96.0.0/12', 'fd00:10::/64'], allowedCidrs: [] };
  it.each([
    { address: '127.0.0.1', refused: true },
    { address: '::1', refused: true },
    { address: '::ffff:127.0.0.1', refused: true },
    { address: '169.254.169.254', refused: true },
    { address: 'fe80::1', refused: true },
    { address: '10.244.3.7', refused: true },
    { address: '10.96.0.1', refused: true },
    { address: 'fd00:10::5', refused: true },
    { address: '0.0.0.0', refused: true },
    { address: '203.0.113.10', refused: false },
    { address: '2001:db8::1', refused: false },
    { address: '10.0.0.1', refused: false },
  ])('$address refused: $refused', ({ address, refused }) => {
    expect(refusalOf(address, rules) !== undefined).toBe(refused);
  });

  it('lets an explicit allowance through a refused range (a test receiver on loopback)', () => {
    expect(refusalOf('127.0.0.1', { ...rules, allowedCidrs: ['127.0.0.1/32'] })).toBeUndefined();
    expect(refusalOf('127.0.0.2', { ...rules, allowedCidrs: ['127.0.0.1/32'] })).toBeDefined();
  });
});

describe('planWebhookUrl', () => {
  it.each([
    { url: 'https://lms.example.org/hooks/kubelabs', problem: undefined },
    { url: 'http://[2001:db8::1]:8080/x', problem: undefined },
    { url: 'ftp://example.org/', problem: 'url must use http or https' },
    { url: 'https://user:pw@example.org/', problem: 'url must not carry credentials' },
    { url: 'https://example.org/#x', problem: 'url must not have a fragment' },
    { url: 'not a url', problem: 'url must be an absolute http or https URL' },
  ])('$url: $problem', ({ url, problem }) => {
    const plan = planWebhookUrl(url);
    expect('problem' in plan ? plan.problem : undefined).toBe(problem);
  });
});

describe('planAttemptOutcome', () => {
  const policy = { maxAttempts: 4, baseMs: 1_000, maxMs: 5_000 };
  const now = new Date('2026-12-07T12:00:00Z');
  const after = (ms: number) => new Date(now.getTime() + ms);
  it.each<{ name: string; attempt: number; result: AttemptResult; kind: string; at?: Date }>([
    { name: 'a 2xx is delivered', attempt: 1, result: { kind: 'response', status: 204 }, kind: 'delivered' },
    {
      name: 'a first 500 retries after the base delay',
      attempt: 1,
      result: { kind: 'response', status: 500 },
      kind: 'retry',
      at: after(1_000),
    },
    {
      name: 'a third failure waits four times as long',
      attempt: 3,
      result: { kind: 'failed', reason: 'ECONNREFUSED' },
      kind: 'retry',
      at: after(4_000),
    },
    {
      name: 'a longer Retry-After is honoured',
      attempt: 1,
      result: { kind: 'response', status: 429, retryAfterMs: 3_000 },
      kind: 'retry',
      at: after(3_000),
    },
    {
      name: 'Retry-After is capped at the maximum delay',
      attempt: 1,
      result: { kind: 'response', status: 503, retryAfterMs: 3_600_000 },
      kind: 'retry',
      at: after(5_000),
    },
    {
      name: 'a redirect is not followed, it is retried',
      attempt: 2,
      result: { kind: 'response', status: 302 },
      kind: 'retry',
      at: after(2_000),
    },
    {
      name: 'the last attempt failing makes a dead letter',
      attempt: 4,
      result: { kind: 'response', status: 500 },
      kind: 'dead',
    },
    {
      name: 'a refused target is dead at once',
      attempt: 1,
      result: { kind: 'refused', reason: '127.0.0.1' },
      kind: 'dead',
    },
  ])('$name', ({ attempt, result, kind, at }) => {
    const outcome = planAttemptOutcome(attempt, result, policy, now);
    expect(outcome.kind).toBe(kind);
    if (at) expect(outcome).toMatchObject({ nextAttemptAt: at });
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  it.each([
    { value: '3', ms: 3_000 },
    { value: 'Mon, 07 Dec 2026 12:00:10 GMT', ms: 10_000 },
    { value: 'soon', ms: undefined },
    { value: undefined, ms: undefined },
  ])('$value is $ms ms', ({ value, ms }) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});
