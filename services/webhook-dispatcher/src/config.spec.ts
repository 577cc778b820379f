// The dispatcher's configuration stops start-up with one line naming the variable: no key, a key of the wrong size,
// a malformed range; and the retry policy and target rules come out as configured.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@kubelabs/config';
import { retryPolicyFrom, targetRulesFrom, WebhookDispatcherConfig } from './config';

const base = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/x' };
const key = randomBytes(32).toString('base64');

describe('WebhookDispatcherConfig', () => {
  it.each([
    { name: 'no key', env: {}, message: 'WEBHOOK_SECRET_KEY is required' },
    {
      name: 'a 16-byte key',
      env: { WEBHOOK_SECRET_KEY: randomBytes(16).toString('base64') },
      message: 'WEBHOOK_SECRET_KEY must be 32 random bytes',
    },
    {
      name: 'a malformed range',
      env: { WEBHOOK_SECRET_KEY: key, WEBHOOK_REFUSED_CIDRS: '10.0.0.0/33' },
      message: 'WEBHOOK_REFUSED_CIDRS must be',
    },
    {
      name: 'a previous key of the wrong size',
      env: { WEBHOOK_SECRET_KEY: key, WEBHOOK_PREVIOUS_SECRET_KEYS: `${key},${randomBytes(16).toString('base64')}` },
      message: 'WEBHOOK_PREVIOUS_SECRET_KEYS must be comma-separated keys of 32 random bytes',
    },
    {
      name: 'zero attempts',
      env: { WEBHOOK_SECRET_KEY: key, WEBHOOK_MAX_ATTEMPTS: '0' },
      message: 'WEBHOOK_MAX_ATTEMPTS must be',
    },
  ])('refuses $name', ({ env, message }) => {
    expect(() => loadConfig(WebhookDispatcherConfig, { ...base, ...env })).toThrow(message);
  });

  it('reads the key, the rules and the retry policy', () => {
    const config = loadConfig(WebhookDispatcherConfig, {
      ...base,
      WEBHOOK_SECRET_KEY: key,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    expect(targetRulesFrom(config)).toEqual({
      refusedCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
      allowedCidrs: ['127.0.0.1/32'],
    });
    expect(retryPolicyFrom(config)).toEqual({ maxAttempts: 3, baseMs: 2_000, maxMs: 600_000 });
  });
});
