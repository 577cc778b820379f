// The controller kit's Prometheus metrics, registered once per registry: every reconciler and watch of a service
// shares them, told apart by their `controller` and `watch` labels.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ReconcileMetrics {
  depth: Gauge<'controller'>;
  passes: Counter<'controller' | 'result'>;
  retries: Counter<'controller'>;
  retriesExhausted: Counter<'controller'>;
  dropped: Counter<'controller'>;
  duration: Histogram<'controller'>;
  watchStaleness: Gauge<'watch'>;
  watchRestarts: Counter<'watch' | 'reason'>;
  watchEvents: Counter<'watch'>;
}

const cache = new WeakMap<Registry, ReconcileMetrics>();

export function reconcileMetrics(registry: Registry): ReconcileMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const metrics: ReconcileMetrics = {
    depth: new Gauge({
      name: 'kubelabs_reconcile_queue_depth',
      help: 'Keys waiting or being reconciled',
      labelNames: ['controller'],
      registers,
    }),
    passes: new Counter({
      name: 'kubelabs_reconcile_passes_total',
      help: 'Reconcile passes by result',
      labelNames: ['controller', 'result'],
      registers,
    }),
    retries: new Counter({
      name: 'kubelabs_reconcile_retries_total',
      help: 'Failed passes scheduled for a retry with backoff',
      labelNames: ['controller'],
      registers,
    }),
    retriesExhausted: new Counter({
      name: 'kubelabs_reconcile_retries_exhausted_total',
      help: 'Keys that failed past the retry bound (left to the next resync)',
      labelNames: ['controller'],
      registers,
    }),
    dropped: new Counter({
      name: 'kubelabs_reconcile_dropped_total',
      help: 'Keys not queued because the queue was full (left to the next resync)',
      labelNames: ['controller'],
      registers,
    }),
    duration: new Histogram({
      name: 'kubelabs_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    watchStaleness: new Gauge({
      name: 'kubelabs_watch_staleness_seconds',
      help: 'Seconds since a watch last heard from its API server (an event, a bookmark or a list)',
      labelNames: ['watch'],
      registers,
    }),
    watchRestarts: new Counter({
      name: 'kubelabs_watch_restarts_total',
      help: 'Watch restarts by reason (error, closed, stalled, relist)',
      labelNames: ['watch', 'reason'],
      registers,
    }),
    watchEvents: new Counter({
      name: 'kubelabs_watch_events_total',
      help: 'Object changes delivered by a watch (relists included)',
      labelNames: ['watch'],
      registers,
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
