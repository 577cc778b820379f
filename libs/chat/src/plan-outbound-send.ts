// When the next outbound chat call may go: token buckets per rate-limit key (a provider method, a channel), blocked
// until a 429's Retry-After has passed. Pure, so the pacing rules are table-tested; OutboundQueue does the waiting.

export interface RateLimit {
  /** Sustained calls per second. */
  perSecond: number;
  /** Calls allowed back to back after a quiet period (1 = evenly spaced). */
  burst: number;
  /**
   * Pace from each call's answer rather than its departure (settleBucket): for a limit that must hold where the
   * provider counts, whatever the network's jitter, such as one message per second into one conversation.
   */
  fromAnswer?: boolean;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms). */
  at: number;
  /** No call before this time (ms): the provider answered 429 with Retry-After. */
  blockedUntil: number;
}

export function emptyBucket(limit: RateLimit, now: number): Bucket {
  return { tokens: limit.burst, at: now, blockedUntil: 0 };
}

/** The bucket at `now`: refilled at the sustained rate, never above the burst. */
export function refillBucket(bucket: Bucket, limit: RateLimit, now: number): Bucket {
  const elapsed = Math.max(0, now - bucket.at);
  return { ...bucket, tokens: Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000), at: now };
}

/** How long a call on this bucket must wait from `now` (0: it may go now). */
export function waitForBucket(bucket: Bucket, limit: RateLimit, now: number): number {
  const refilled = refillBucket(bucket, limit, now);
  const blocked = Math.max(0, bucket.blockedUntil - now);
  const missing = refilled.tokens >= 1 ? 0 : Math.ceil(((1 - refilled.tokens) * 1000) / limit.perSecond);
  return Math.max(blocked, missing);
}

/** The bucket after a call went at `now`. */
export function takeFromBucket(bucket: Bucket, limit: RateLimit, now: number): Bucket {
  const refilled = refillBucket(bucket, limit, now);
  return { ...refilled, tokens: refilled.tokens - 1 };
}

/**
 * The bucket when a call got its answer at `now`, for limits paced `fromAnswer`: the answer counts as a call at that
 * moment, so the next call leaves a whole period after it. The provider counts calls as they arrive; however long
 * this one took on the way, it arrived before it was answered, so the spacing holds at the provider too.
 */
export function settleBucket(bucket: Bucket, limit: RateLimit, now: number): Bucket {
  if (!limit.fromAnswer) return bucket;
  const refilled = refillBucket(bucket, limit, now);
  return { ...refilled, tokens: Math.max(0, Math.min(refilled.tokens, limit.burst - 1)) };
}

/** The bucket after a 429: nothing until Retry-After has passed, then it starts from one call. */
export function blockBucket(bucket: Bucket, now: number, retryAfterMs: number): Bucket {
  return { tokens: 1, at: now + retryAfterMs, blockedUntil: Math.max(bucket.blockedUntil, now + retryAfterMs) };
}

export interface PendingSend {
  /** Rate-limit keys this call spends from, e.g. ['chat.postMessage', 'chat.postMessage:D024BE91L']. */
  keys: string[];
}

/**
 * Which waiting call goes next and when: the first one (in arrival order) whose buckets all allow it soonest. A call is
 * never overtaken by a later one sharing all its keys, so messages to one channel keep their order.
 */
export function planNextSend(
  pending: readonly PendingSend[],
  buckets: ReadonlyMap<string, Bucket>,
  limitOf: (key: string) => RateLimit,
  now: number,
  scan = 100,
): { index: number; waitMs: number } | undefined {
  let best: { index: number; waitMs: number } | undefined;
  for (let index = 0; index < Math.min(pending.length, scan); index++) {
    const waitMs = Math.max(
      0,
      ...pending[index]!.keys.map((key) => {
        const limit = limitOf(key);
        return waitForBucket(buckets.get(key) ?? emptyBucket(limit, now), limit, now);
      }),
    );
    if (!best || waitMs < best.waitMs) best = { index, waitMs };
    if (waitMs === 0) break;
  }
  return best;
}
