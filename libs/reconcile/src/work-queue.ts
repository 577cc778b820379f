// A keyed work queue for reconcilers (controller-runtime's workqueue, reduced to what the platform needs): a key queued
// many times runs once, one key never runs twice at once, a failed key is retried with per-key exponential backoff up
// to a bound, and a reconciler may ask to run again after N ms. Depth, retries and durations are counted.
import type { ReconcileMetrics } from './reconcile-metrics';

/** What a reconcile pass may answer: nothing (done), or "run me again after this long". */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type ReconcileFn = (key: string) => Promise<ReconcileResult | void>;

export interface BackoffOptions {
  /** Delay before the first retry of a failed key; doubled per consecutive failure. */
  baseMs: number;
  /** The delay never grows past this. */
  maxMs: number;
  /** Consecutive failures after which the queue stops retrying a key by itself (the next enqueue or resync does). */
  maxRetries: number;
}

export interface WorkQueueOptions {
  /** Names the queue in logs and metrics (`controller` label). */
  name: string;
  /** Keys reconciled at once. */
  concurrency: number;
  backoff?: Partial<BackoffOptions>;
  /** Keys waiting beyond this are dropped (the periodic resync brings them back); protects memory. */
  maxQueued?: number;
  metrics?: ReconcileMetrics;
  /** Told about failed passes and dropped retries; the queue itself never throws. */
  onError?: (key: string, error: unknown, retry: { attempt: number; delayMs: number | null }) => void;
}

export const defaultBackoff: BackoffOptions = { baseMs: 250, maxMs: 60_000, maxRetries: 12 };

/** Pure: the delay before retry number `attempt` (1-based), or null when the bound is reached. */
export function planRetryDelay(attempt: number, backoff: BackoffOptions): number | null {
  if (attempt > backoff.maxRetries) return null;
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
}

export class WorkQueue {
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly running = new Set<string>();
  private readonly runs = new Set<Promise<void>>();
  /** Keys asked for while they ran: they run once more afterwards. */
  private readonly dirty = new Set<string>();
  /** Callers waiting for a pass of a key that starts after their call. */
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly backoff: BackoffOptions;
  private readonly maxQueued: number;
  private stopped = false;

  constructor(
    private readonly reconcile: ReconcileFn,
    private readonly options: WorkQueueOptions,
  ) {
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /**
   * Queues a pass for `key`, now or after `afterMs` (an earlier pending timer for the key wins, so a burst of
   * delayed enqueues coalesces into one pass). Resolves when a pass that started after this call has finished,
   * whether it succeeded or not (a failure is retried by the queue itself), or when the queue stops.
   */
  enqueue(key: string, { afterMs = 0 }: { afterMs?: number } = {}): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      const list = this.waiters.get(key);
      if (list) list.push(resolve);
      else this.waiters.set(key, [resolve]);
    });
    if (afterMs > 0) this.schedule(key, afterMs);
    else this.add(key);
    return done;
  }

  /** Keys waiting or running. */
  get size(): number {
    return this.queued.length + this.running.size;
  }

  /** True while `key` is being reconciled. */
  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** Stops taking work, cancels retries and delayed keys, waits for the passes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queued.length = 0;
    this.queuedSet.clear();
    await Promise.allSettled(this.runs);
    for (const resolvers of this.waiters.values()) for (const resolve of resolvers) resolve();
    this.waiters.clear();
    this.updateDepth();
  }

  private schedule(key: string, afterMs: number): void {
    const at = Date.now() + afterMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, afterMs);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  private add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) this.dirty.add(key);
    else if (!this.queuedSet.has(key)) {
      if (this.queued.length >= this.maxQueued) {
        this.options.metrics?.dropped.inc({ controller: this.options.name });
        this.resolveWaiters(key);
        return;
      }
      this.queued.push(key);
      this.queuedSet.add(key);
    }
    this.updateDepth();
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.concurrency && this.queued.length > 0) {
      const key = this.queued.shift()!;
      this.queuedSet.delete(key);
      this.running.add(key);
      const waiters = this.waiters.get(key) ?? [];
      this.waiters.delete(key);
      const run = this.runOnce(key).finally(() => {
        this.running.delete(key);
        this.runs.delete(run);
        for (const resolve of waiters) resolve();
        if (this.dirty.delete(key)) this.add(key);
        this.updateDepth();
        this.pump();
      });
      this.runs.add(run);
    }
  }

  private async runOnce(key: string): Promise<void> {
    const controller = this.options.name;
    const started = performance.now();
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      this.options.metrics?.passes.inc({ controller, result: 'success' });
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs >= 0 && !this.stopped)
        this.schedule(key, Math.max(1, result.requeueAfterMs));
    } catch (error) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      const delayMs = planRetryDelay(attempt, this.backoff);
      this.options.metrics?.passes.inc({ controller, result: 'error' });
      if (delayMs === null) {
        this.failures.delete(key);
        this.options.metrics?.retriesExhausted.inc({ controller });
      } else {
        this.failures.set(key, attempt);
        this.options.metrics?.retries.inc({ controller });
        if (!this.stopped) this.schedule(key, delayMs);
      }
      this.options.onError?.(key, error, { attempt, delayMs });
    } finally {
      this.options.metrics?.duration.observe({ controller }, (performance.now() - started) / 1000);
    }
  }

  private resolveWaiters(key: string): void {
    for (const resolve of this.waiters.get(key) ?? []) resolve();
    this.waiters.delete(key);
  }

  private updateDepth(): void {
    this.options.metrics?.depth.set({ controller: this.options.name }, this.size);
  }
}
