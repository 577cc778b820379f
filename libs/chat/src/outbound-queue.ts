// The shell around planNextSend: every outbound chat call waits here for its rate-limit keys, goes out, and on a 429
// blocks its keys for Retry-After and goes back to the front of the line. Bounded: a call gives up after
// `maxAttempts` tries, and the line holds at most `maxPending` calls (more are refused at once, not silently dropped).
import {
  blockBucket,
  emptyBucket,
  planNextSend,
  settleBucket,
  takeFromBucket,
  type Bucket,
  type RateLimit,
} from './plan-outbound-send';

/** Throw this from a send to say the provider answered 429: the call is retried after `retryAfterMs`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limited for ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
  }
}

export interface OutboundQueueOptions {
  limitOf: (key: string) => RateLimit;
  maxAttempts?: number;
  maxPending?: number;
  /** Wait after a failure other than 429 before the next try. */
  retryDelayMs?: number;
  /** Calls out at once (a 429 still blocks their keys). */
  concurrency?: number;
  now?: () => number;
}

interface Job {
  keys: string[];
  attempts: number;
  notBefore: number;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface OutboundStats {
  sent: number;
  rateLimited: number;
  failed: number;
  pending: number;
}

export class OutboundQueue {
  private readonly pending: Job[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private stopped = false;
  readonly stats: OutboundStats = { sent: 0, rateLimited: 0, failed: 0, pending: 0 };

  constructor(private readonly options: OutboundQueueOptions) {}

  /** Runs `send` when `keys` allow it; resolves with its result, or rejects after the last attempt failed. */
  send<T>(keys: string[], send: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the outbound queue is stopped'));
    if (this.pending.length >= (this.options.maxPending ?? 10_000))
      return Promise.reject(new Error('the outbound queue is full'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        keys,
        attempts: 0,
        notBefore: 0,
        run: send,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.stats.pending = this.pending.length;
      this.pump();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const job of this.pending.splice(0)) job.reject(new Error('the outbound queue stopped'));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.stopped && this.running < (this.options.concurrency ?? 4)) {
      const now = this.now();
      const ready = this.pending.filter((job) => job.notBefore <= now);
      const next = planNextSend(ready, this.buckets, this.options.limitOf, now);
      const soonestRetry = Math.min(...this.pending.map((job) => job.notBefore));
      if (!next) {
        if (this.pending.length > 0) this.schedule(soonestRetry - now);
        return;
      }
      if (next.waitMs > 0) {
        this.schedule(
          Math.min(next.waitMs, Number.isFinite(soonestRetry) ? Math.max(1, soonestRetry - now) : next.waitMs),
        );
        return;
      }
      const job = ready[next.index]!;
      this.pending.splice(this.pending.indexOf(job), 1);
      this.stats.pending = this.pending.length;
      for (const key of job.keys) {
        const limit = this.options.limitOf(key);
        this.buckets.set(key, takeFromBucket(this.buckets.get(key) ?? emptyBucket(limit, now), limit, now));
      }
      void this.execute(job);
    }
  }

  private schedule(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.pump(), Math.max(1, ms));
  }

  private async execute(job: Job): Promise<void> {
    this.running++;
    job.attempts++;
    try {
      const result = await job.run();
      this.stats.sent++;
      job.resolve(result);
    } catch (error) {
      const now = this.now();
      const limited = error instanceof RateLimitedError;
      if (limited) {
        this.stats.rateLimited++;
        for (const key of job.keys) {
          const limit = this.options.limitOf(key);
          this.buckets.set(key, blockBucket(this.buckets.get(key) ?? emptyBucket(limit, now), now, error.retryAfterMs));
        }
      }
      if (job.attempts >= (this.options.maxAttempts ?? 8) || this.stopped) {
        this.stats.failed++;
        job.reject(error);
      } else {
        job.notBefore = limited ? 0 : now + (this.options.retryDelayMs ?? 1_000) * 2 ** (job.attempts - 1);
        this.pending.unshift(job); // back to the front: its channel keeps its order
        this.stats.pending = this.pending.length;
      }
    } finally {
      const now = this.now();
      for (const key of job.keys) {
        const bucket = this.buckets.get(key);
        if (bucket) this.buckets.set(key, settleBucket(bucket, this.options.limitOf(key), now));
      }
      this.running--;
      this.pump();
    }
  }
}
