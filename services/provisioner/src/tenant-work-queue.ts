// A bounded work queue keyed by tenant id: a tenant is reconciled by one worker at a time, a key queued twice runs
// once more after the current pass (not twice), and at most `concurrency` tenants are in flight.
import { Logger } from '@nestjs/common';

export class TenantWorkQueue {
  private readonly logger = new Logger('TenantWorkQueue');
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly dirty = new Set<string>();
  private stopped = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly concurrency: number,
    private readonly maxQueued = 10_000,
  ) {}

  /** Queues a pass for `key`; resolves when a pass that started after this call has finished. */
  enqueue(key: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.set(key, [...(this.waiters.get(key) ?? []), resolve]));
    if (this.running.has(key)) this.dirty.add(key);
    else if (!this.queuedSet.has(key) && this.queued.length < this.maxQueued) {
      this.queued.push(key);
      this.queuedSet.add(key);
    }
    this.pump();
    return done;
  }

  get size(): number {
    return this.queued.length + this.running.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queued.length = 0;
    this.queuedSet.clear();
    await Promise.allSettled(this.running.values());
    for (const resolvers of this.waiters.values()) for (const resolve of resolvers) resolve();
    this.waiters.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.queued.length > 0) {
      const key = this.queued.shift()!;
      this.queuedSet.delete(key);
      const waiters = this.waiters.get(key) ?? [];
      this.waiters.delete(key);
      const run = this.work(key)
        .catch((error: unknown) =>
          this.logger.warn({ err: error, tenant: key }, 'tenant reconcile failed; it is retried on the next pass'),
        )
        .finally(() => {
          this.running.delete(key);
          for (const resolve of waiters) resolve();
          if (this.dirty.delete(key)) {
            this.queued.push(key);
            this.queuedSet.add(key);
          }
          this.pump();
        });
      this.running.set(key, run);
    }
  }
}
