// The outbound queue in time: it paces calls to the limit, waits out a 429's Retry-After, and gives up after a bound.
import { describe, expect, it } from 'vitest';
import { OutboundQueue, RateLimitedError } from './outbound-queue';

describe('OutboundQueue', () => {
  it('spaces calls on one key by the rate and retries a 429 only after Retry-After', async () => {
    const queue = new OutboundQueue({ limitOf: () => ({ perSecond: 20, burst: 1 }), concurrency: 1 });
    const sentAt: number[] = [];
    let refusedAt = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        queue.send(['post'], async () => {
          sentAt.push(Date.now());
          if (i === 2 && refusedAt === 0) {
            refusedAt = Date.now();
            throw new RateLimitedError(300);
          }
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sentAt).toHaveLength(7);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(45);
    expect(sentAt[3]! - refusedAt).toBeGreaterThanOrEqual(300);
    expect(queue.stats).toMatchObject({ sent: 6, rateLimited: 1, failed: 0, pending: 0 });
  });

  it('gives up after maxAttempts and says why', async () => {
    const queue = new OutboundQueue({
      limitOf: () => ({ perSecond: 1000, burst: 10 }),
      maxAttempts: 3,
      retryDelayMs: 5,
    });
    let tries = 0;
    await expect(
      queue.send(['x'], async () => {
        tries++;
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    expect(tries).toBe(3);
  });

  it('refuses a call when full rather than dropping one silently', async () => {
    const queue = new OutboundQueue({ limitOf: () => ({ perSecond: 1, burst: 1 }), maxPending: 1, concurrency: 1 });
    const first = queue.send(['x'], async () => 1);
    const second = queue.send(['x'], async () => 2);
    await expect(queue.send(['x'], async () => 3)).rejects.toThrow(/full/);
    queue.stop();
    await expect(first).resolves.toBe(1);
    await expect(second).rejects.toThrow(/stopped/);
  });
});
