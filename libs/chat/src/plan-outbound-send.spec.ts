// Pacing of outbound chat calls: the sustained rate, the burst, Retry-After, and order within a channel.
import { describe, expect, it } from 'vitest';
import {
  blockBucket,
  emptyBucket,
  planNextSend,
  settleBucket,
  takeFromBucket,
  waitForBucket,
  type Bucket,
  type RateLimit,
} from './plan-outbound-send';

const onePerSecond: RateLimit = { perSecond: 1, burst: 1 };
const tenPerSecondBurstThree: RateLimit = { perSecond: 10, burst: 3 };

describe('token buckets', () => {
  it.each([
    { name: 'a fresh bucket lets a call go at once', limit: onePerSecond, calls: 0, at: 0, wait: 0 },
    { name: 'a second call waits a whole period', limit: onePerSecond, calls: 1, at: 0, wait: 1000 },
    { name: 'part of the period already passed', limit: onePerSecond, calls: 1, at: 400, wait: 600 },
    { name: 'a burst goes back to back', limit: tenPerSecondBurstThree, calls: 2, at: 0, wait: 0 },
    { name: 'past the burst, the sustained rate', limit: tenPerSecondBurstThree, calls: 3, at: 0, wait: 100 },
  ])('$name', ({ limit, calls, at, wait }) => {
    let bucket = emptyBucket(limit, 0);
    for (let i = 0; i < calls; i++) bucket = takeFromBucket(bucket, limit, 0);
    expect(waitForBucket(bucket, limit, at)).toBe(wait);
  });

  it('waits out Retry-After however full the bucket was, then allows one call', () => {
    const blocked = blockBucket(emptyBucket(tenPerSecondBurstThree, 0), 1000, 5000);
    expect(waitForBucket(blocked, tenPerSecondBurstThree, 1000)).toBe(5000);
    expect(waitForBucket(blocked, tenPerSecondBurstThree, 5999)).toBe(1);
    expect(waitForBucket(blocked, tenPerSecondBurstThree, 6000)).toBe(0);
    const after = takeFromBucket(blocked, tenPerSecondBurstThree, 6000);
    expect(waitForBucket(after, tenPerSecondBurstThree, 6000)).toBe(100);
  });
});

const limitOf = (key: string): RateLimit => (key.includes(':') ? onePerSecond : { perSecond: 100, burst: 100 });

describe('settleBucket', () => {
  it('paces a fromAnswer limit from the answer: a slow call pushes the next one back', () => {
    const limit: RateLimit = { ...onePerSecond, fromAnswer: true };
    const sent = takeFromBucket(emptyBucket(limit, 0), limit, 0);
    const answered = settleBucket(sent, limit, 400);
    expect(waitForBucket(answered, limit, 400)).toBe(1000);
    expect(waitForBucket(sent, limit, 400)).toBe(600);
  });

  it('leaves other limits paced from departure', () => {
    const sent = takeFromBucket(emptyBucket(onePerSecond, 0), onePerSecond, 0);
    expect(settleBucket(sent, onePerSecond, 400)).toBe(sent);
  });
});

describe('planNextSend', () => {
  const used = (key: string): Bucket => takeFromBucket(emptyBucket(limitOf(key), 0), limitOf(key), 0);

  it('sends the first call whose keys allow it, passing a channel that must wait', () => {
    const buckets = new Map([['post:D1', used('post:D1')]]);
    const pending = [{ keys: ['post', 'post:D1'] }, { keys: ['post', 'post:D1'] }, { keys: ['post', 'post:D2'] }];
    expect(planNextSend(pending, buckets, limitOf, 0)).toEqual({ index: 2, waitMs: 0 });
  });

  it('never lets a later call of a channel overtake an earlier one', () => {
    const buckets = new Map([['post:D1', used('post:D1')]]);
    const pending = [{ keys: ['post', 'post:D1'] }, { keys: ['post', 'post:D1'] }];
    expect(planNextSend(pending, buckets, limitOf, 0)).toEqual({ index: 0, waitMs: 1000 });
  });

  it('has nothing to plan for an empty line', () => {
    expect(planNextSend([], new Map(), limitOf, 0)).toBeUndefined();
  });
});
