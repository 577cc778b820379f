// One reconciler's machinery in one place: a keyed work queue, watches whose changes map to keys, event triggers
// (`enqueue`), a fast poll for keys that are mid-change and a slower periodic resync of every key, and a clean stop.
// Level-triggered: watches and events only make a pass sooner; the resync makes it correct after a crash or a lost
// event. Services describe a reconciler with `ReconcilerSpec`; they never write their own timers or queues.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '@kubelabs/kube';
import type { Registry } from 'prom-client';
import { reconcileMetrics, type ReconcileMetrics } from './reconcile-metrics';
import {
  watchObjects,
  type ObjectChange,
  type ObjectWatch,
  type WatchOptions,
  type WatchTarget,
} from './watch-objects';
import { WorkQueue, type BackoffOptions, type ReconcileFn } from './work-queue';

export interface WatchSpec<T extends KubernetesObject = KubernetesObject> {
  target: WatchTarget;
  /** The keys a change concerns (none: ignore it). */
  keysOf: (change: ObjectChange<T>) => string[];
  options?: Omit<WatchOptions, 'name' | 'metrics' | 'onError'>;
}

export interface PeriodicSpec {
  everyMs: number;
  /** The keys to reconcile now; may also do its own level-triggered work (e.g. collect garbage). */
  keys: () => Promise<string[]>;
}

export interface ReconcilerSpec {
  /** Names the reconciler in logs and metrics. */
  name: string;
  reconcile: ReconcileFn;
  concurrency: number;
  backoff?: Partial<BackoffOptions>;
  watches?: WatchSpec[];
  /** Keys that are mid-change and re-checked often (tenants booting, being torn down). */
  poll?: PeriodicSpec;
  /** Every key, rarely: also run once at start. */
  resync?: PeriodicSpec;
  /** Delay applied to enqueues from watches, so a burst of changes to one key costs one pass. */
  watchCoalesceMs?: number;
}

export interface LoopLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ReconcileLoopOptions {
  kube?: KubeClient;
  registry?: Registry;
  logger?: LoopLogger;
}

export class ReconcileLoop {
  readonly queue: WorkQueue;
  private readonly watches: ObjectWatch[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly metrics: ReconcileMetrics | undefined;
  private readonly periodicRunning = new Set<string>();
  private started = false;
  private stopped = false;

  constructor(
    private readonly spec: ReconcilerSpec,
    private readonly options: ReconcileLoopOptions = {},
  ) {
    this.metrics = options.registry ? reconcileMetrics(options.registry) : undefined;
    this.queue = new WorkQueue(spec.reconcile, {
      name: spec.name,
      concurrency: spec.concurrency,
      ...(spec.backoff ? { backoff: spec.backoff } : {}),
      ...(this.metrics ? { metrics: this.metrics } : {}),
      onError: (key, error, retry) =>
        options.logger?.warn(
          { err: error, controller: spec.name, key, attempt: retry.attempt, retryInMs: retry.delayMs },
          retry.delayMs === null
            ? 'reconcile failed past its retry bound; the next resync takes it up again'
            : 'reconcile failed; retrying with backoff',
        ),
    });
    if ((spec.watches?.length ?? 0) > 0 && !options.kube)
      throw new Error(`reconciler ${spec.name}: watches need a KubeClient`);
  }

  /** Starts watches and timers and runs the first resync. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const [index, watch] of (this.spec.watches ?? []).entries()) {
      const name = `${this.spec.name}/${watch.target.kind.toLowerCase()}${index > 0 ? `-${index}` : ''}`;
      this.watches.push(
        watchObjects(
          this.options.kube!,
          watch.target,
          (change) => {
            for (const key of watch.keysOf(change))
              void this.queue.enqueue(key, { afterMs: this.spec.watchCoalesceMs ?? 0 });
          },
          {
            ...watch.options,
            name,
            ...(this.metrics ? { metrics: this.metrics } : {}),
            onError: (error, context) =>
              this.options.logger?.warn({ err: error, watch: name, ...context }, 'watch restarting'),
          },
        ),
      );
    }
    if (this.spec.poll) this.every('poll', this.spec.poll);
    if (this.spec.resync) {
      this.every('resync', this.spec.resync);
      void this.runPeriodic('resync', this.spec.resync);
    }
  }

  /** Reconciles `key` soon; resolves when a pass that started after this call has finished. */
  enqueue(key: string, options: { afterMs?: number } = {}): Promise<void> {
    return this.queue.enqueue(key, options);
  }

  /** Runs the resync now (tests, and start-up adoption); resolves when its keys have been reconciled once. */
  async resyncNow(): Promise<void> {
    if (!this.spec.resync) return;
    const keys = await this.spec.resync.keys();
    await Promise.all(keys.map((key) => this.queue.enqueue(key)));
  }

  /** The watches' staleness (ms since each last heard from its server). */
  watchStaleness(): number[] {
    return this.watches.map((watch) => watch.staleness());
  }

  /** Resolves when every watch has delivered its first list. */
  async synced(): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.synced));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const watch of this.watches) watch.stop();
    await this.queue.stop();
  }

  private every(kind: string, periodic: PeriodicSpec): void {
    const timer = setInterval(() => void this.runPeriodic(kind, periodic), periodic.everyMs);
    timer.unref?.();
    this.timers.push(timer);
  }

  /** One periodic pass at a time per kind: a slow resync is never stacked on itself. */
  private async runPeriodic(kind: string, periodic: PeriodicSpec): Promise<void> {
    if (this.stopped || this.periodicRunning.has(kind)) return;
    this.periodicRunning.add(kind);
    try {
      const keys = await periodic.keys();
      for (const key of keys) void this.queue.enqueue(key);
    } catch (error) {
      this.options.logger?.warn(
        { err: error, controller: this.spec.name, kind },
        `${kind} failed; the next one retries`,
      );
    } finally {
      this.periodicRunning.delete(kind);
    }
  }
}
