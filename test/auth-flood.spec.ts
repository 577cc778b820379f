// Wrong API keys against the real claim API: a client that keeps failing is answered 401, then 429 problem+json with
// Retry-After and no database lookup, and may try again once Retry-After has passed; a valid key keeps working through
// the flood; other clients are not limited; a repeated wrong key costs one lookup. Clients are told apart by
// X-Forwarded-For, which the services trust.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, testLab, usePlatform } from './support/platform-client';

interface Answer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

const platforms = usePlatform();

/** The claim API alone, counting at most `failures` failed authentications per client, one back every windowMs/failures. */
async function startClaimApi(failures: number, windowMs: number): Promise<RunningPlatform> {
  return platforms.start({
    services: ['claim-api'],
    labs: [testLab('flood', { minReady: 0, maxTotal: 1 })],
    serviceEnv: {
      // The test plays many clients through X-Forwarded-For from the loopback proxy it trusts.
      'claim-api': {
        AUTH_FAILURE_LIMIT: String(failures),
        AUTH_FAILURE_WINDOW_MS: String(windowMs),
        TRUST_PROXY: '127.0.0.1,::1',
      },
    },
  });
}

async function getLabs(platform: RunningPlatform, key: string, client: string): Promise<Answer> {
  const res = await fetch(`${platform.claimApiUrl}/v1/labs`, {
    headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client },
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

const wrongKey = (): string => `kl_${randomBytes(24).toString('base64url')}`;

async function createKey(platform: RunningPlatform, name: string): Promise<string> {
  const created = await api(platform, 'POST', '/v1/api-keys', { name, scopes: ['claim'] });
  expect(created.status).toBe(201);
  return created.body.key as string;
}

/** API key lookups the claim API has sent to MongoDB (its kubelabs_api_key_lookups_total). */
async function lookups(platform: RunningPlatform): Promise<number> {
  const text = await (await fetch(`${platform.claimApiUrl}/metrics`)).text();
  return Number(/^kubelabs_api_key_lookups_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Runs `op(i)` for i in 0..total-1, `concurrency` at a time. */
async function inParallel<T>(total: number, concurrency: number, op: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      results[i] = await op(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

describe('wrong API keys', () => {
  it('are answered 401 until the client has failed `failures` times, then 429 problem+json with Retry-After, and may be tried again after Retry-After', async () => {
    const platform = await startClaimApi(5, 5_000); // one failure back every second
    const client = '198.51.100.7';
    for (let i = 0; i < 5; i++) expect((await getLabs(platform, wrongKey(), client)).status).toBe(401);

    const limited = await getLabs(platform, wrongKey(), client);
    expect(limited.status).toBe(429);
    expect(limited.contentType).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({
      type: 'https://kubelabs.dev/problems/auth.rate_limited',
      title: 'Too Many Requests',
      status: 429,
      code: 'auth.rate_limited',
      detail: expect.stringMatching(/retry after \d+ s/),
    });
    expect(limited.retryAfter).toMatch(/^[1-9]\d*$/);

    // Waiting what Retry-After says is the contract under test, so this test waits exactly that long.
    await sleep(Number(limited.retryAfter) * 1000);
    expect((await getLabs(platform, wrongKey(), client)).status).toBe(401);
    expect((await getLabs(platform, wrongKey(), client)).status).toBe(429);
  });

  it('cost at most `failures` lookups in a flood from one client, while a valid key from that client keeps working and other clients are not limited', async () => {
    const platform = await startClaimApi(5, 60_000); // no failure comes back during the test
    const key = await createKey(platform, 'flood-valid');
    const fresh = await createKey(platform, 'flood-fresh');
    const freshElsewhere = await createKey(platform, 'flood-fresh-elsewhere');
    const flooder = '198.51.100.8';
    const neighbour = '198.51.100.9';
    expect((await getLabs(platform, key, flooder)).status).toBe(200);
    const lookupsBefore = await lookups(platform);
    const started = performance.now();

    const flood = { going: true };
    const validStatuses: number[] = [];
    const valid = (async () => {
      while (flood.going) validStatuses.push((await getLabs(platform, key, flooder)).status);
    })();
    const wrong = await inParallel(500, 50, () => getLabs(platform, wrongKey(), flooder)).finally(
      () => (flood.going = false),
    );
    await valid;
    const elapsedMs = performance.now() - started;

    expect(wrong.filter((a) => a.status === 401)).toHaveLength(5);
    expect(wrong.filter((a) => a.status === 429)).toHaveLength(495);
    expect(wrong.filter((a) => a.status === 429).every((a) => /^[1-9]\d*$/.test(a.retryAfter ?? ''))).toBe(true);
    expect(validStatuses.length).toBeGreaterThan(0);
    expect(validStatuses.every((status) => status === 200)).toBe(true);
    // Five wrong keys, plus the valid key re-verified once per 5 s of cache lifetime.
    expect((await lookups(platform)) - lookupsBefore).toBeLessThanOrEqual(5 + Math.ceil(elapsedMs / 5_000));

    expect((await getLabs(platform, freshElsewhere, neighbour)).status).toBe(200);
    expect((await getLabs(platform, wrongKey(), neighbour)).status).toBe(401);
    // By choice: a key the claim API has not verified recently waits out the limit like any other from that address.
    expect((await getLabs(platform, fresh, flooder)).status).toBe(429);
  });

  it('cost one lookup when the same wrong key comes from many addresses at once', async () => {
    const platform = await startClaimApi(5, 60_000);
    const key = wrongKey();
    const lookupsBefore = await lookups(platform);
    const started = performance.now();
    const answers = await inParallel(300, 30, (i) => getLabs(platform, key, `10.1.${i >> 8}.${i & 255}`));
    const elapsedMs = performance.now() - started;
    expect(answers.every((a) => a.status === 401)).toBe(true);
    // One lookup, then the negative cache (5 s) answers; a slow machine may need one more per 5 s.
    expect((await lookups(platform)) - lookupsBefore).toBeLessThanOrEqual(Math.ceil(elapsedMs / 5_000));
  });
});
