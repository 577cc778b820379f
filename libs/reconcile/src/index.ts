// Public face of @kubelabs/reconcile, the controller kit: a keyed work queue with backoff, watches that restart and
// relist, and the loop that wires them (with event triggers, a poll and a resync) for one reconciler.
export {
  WorkQueue,
  planRetryDelay,
  defaultBackoff,
  type ReconcileFn,
  type ReconcileResult,
  type BackoffOptions,
  type WorkQueueOptions,
} from './work-queue';
export {
  watchObjects,
  planRelistChanges,
  type WatchTarget,
  type WatchOptions,
  type ObjectChange,
  type ObjectWatch,
  type ChangeType,
  type RestartReason,
} from './watch-objects';
export {
  ReconcileLoop,
  type ReconcilerSpec,
  type WatchSpec,
  type PeriodicSpec,
  type LoopLogger,
  type ReconcileLoopOptions,
} from './reconcile-loop';
export { reconcileMetrics, type ReconcileMetrics } from './reconcile-metrics';
export { OwnWrites } from './own-writes';
