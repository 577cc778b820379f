// A watch that keeps going: list, then watch from the list's resourceVersion; restart (with bounded backoff) when the
// server ends it, when it errors, and when it goes silent (client-node watches can stop without a word: issues #958,
// #364, #1496); relist on a period so a missed event is found anyway. Staleness is a metric. Only changes reach
// `onChange`: a relist reports objects that are new, changed (resourceVersion) or gone since the last look.
import { Watch, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '@kubelabs/kube';
import type { ReconcileMetrics } from './reconcile-metrics';

export interface WatchTarget {
  apiVersion: string;
  kind: string;
  /** Omitted: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObjectChange<T extends KubernetesObject = KubernetesObject> {
  type: ChangeType;
  object: T;
  /** True when a relist (not a watch event) found the change. */
  relisted: boolean;
}

export interface WatchOptions {
  /** Names the watch in logs and metrics. */
  name: string;
  /** A full relist at least this often. */
  relistEveryMs?: number;
  /** The server ends each watch after about this long (jittered); the client then watches again from where it was. */
  serverTimeoutSeconds?: number;
  /** No event, bookmark or end for this long past the server timeout: the watch is presumed dead and restarted. */
  stallGraceMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  metrics?: ReconcileMetrics;
  onError?: (error: unknown, context: { restartInMs: number; reason: RestartReason }) => void;
}

export type RestartReason = 'error' | 'closed' | 'dropped' | 'stalled' | 'relist' | 'expired';

export interface ObjectWatch {
  /** Resolves after the first successful list has been delivered. */
  readonly synced: Promise<void>;
  /** Milliseconds since the API server was last heard from. */
  staleness(): number;
  stop(): void;
}

const defaults = {
  relistEveryMs: 5 * 60_000,
  serverTimeoutSeconds: 240,
  stallGraceMs: 30_000,
  baseMs: 250,
  maxMs: 30_000,
};

type Meta = { metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string } };

function keyOf(object: Meta): string {
  return object.metadata?.uid ?? `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Pure: what a relist changed, given what was known before (key → resourceVersion). */
export function planRelistChanges<T extends KubernetesObject>(
  known: ReadonlyMap<string, { resourceVersion: string; object: T }>,
  listed: T[],
): ObjectChange<T>[] {
  const changes: ObjectChange<T>[] = [];
  const seen = new Set<string>();
  for (const object of listed) {
    const key = keyOf(object);
    seen.add(key);
    const before = known.get(key);
    if (!before) changes.push({ type: 'ADDED', object, relisted: true });
    else if (before.resourceVersion !== (object.metadata?.resourceVersion ?? ''))
      changes.push({ type: 'MODIFIED', object, relisted: true });
  }
  for (const [key, { object }] of known) if (!seen.has(key)) changes.push({ type: 'DELETED', object, relisted: true });
  return changes;
}

export function watchObjects<T extends KubernetesObject = KubernetesObject>(
  kube: KubeClient,
  target: WatchTarget,
  onChange: (change: ObjectChange<T>) => void,
  options: WatchOptions,
): ObjectWatch {
  const settings = { ...defaults, ...options, ...options.backoff };
  const known = new Map<string, { resourceVersion: string; object: T }>();
  let stopped = false;
  let lastHeard = Date.now();
  let abort: AbortController | undefined;
  let wake: (() => void) | undefined;
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  const metrics = options.metrics;
  const watchLabel = { watch: options.name };

  const heard = () => {
    lastHeard = Date.now();
    metrics?.watchStaleness.set(watchLabel, 0);
  };
  const stalenessTimer = setInterval(
    () => metrics?.watchStaleness.set(watchLabel, (Date.now() - lastHeard) / 1000),
    1_000,
  );
  stalenessTimer.unref?.();

  const deliver = (change: ObjectChange<T>) => {
    const key = keyOf(change.object);
    if (change.type === 'DELETED') known.delete(key);
    else known.set(key, { resourceVersion: change.object.metadata?.resourceVersion ?? '', object: change.object });
    metrics?.watchEvents.inc(watchLabel);
    try {
      onChange(change);
    } catch (error) {
      options.onError?.(error, { restartInMs: 0, reason: 'error' });
    }
  };

  /** Sleeps `ms`, or less when the watch is stopped. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** One watch from `resourceVersion`; resolves with why it ended and the last resourceVersion seen. */
  const watchOnce = async (path: string, resourceVersion: string, deadline: number) =>
    new Promise<{
      reason: RestartReason;
      resourceVersion: string;
      lastedMs: number;
      timeoutSeconds: number;
      error?: unknown;
    }>((resolve) => {
      let version = resourceVersion;
      let settled = false;
      const timeoutSeconds = Math.max(1, Math.round(settings.serverTimeoutSeconds * (0.8 + Math.random() * 0.4)));
      const finish = (reason: RestartReason, error?: unknown) => {
        if (settled) return;
        settled = true;
        clearInterval(guard);
        abort?.abort();
        resolve({
          reason,
          resourceVersion: version,
          lastedMs: Date.now() - watchStarted,
          timeoutSeconds,
          ...(error !== undefined ? { error } : {}),
        });
      };
      let watchStarted = Date.now();
      const guard = setInterval(() => {
        if (stopped) finish('closed');
        else if (Date.now() >= deadline) finish('relist');
        else if (Date.now() - Math.max(lastHeard, watchStarted) > timeoutSeconds * 1000 + settings.stallGraceMs)
          finish('stalled');
      }, 250);
      guard.unref?.();
      new Watch(kube.config)
        .watch(
          path,
          {
            resourceVersion: version,
            allowWatchBookmarks: true,
            timeoutSeconds,
            ...(target.labelSelector ? { labelSelector: target.labelSelector } : {}),
            ...(target.fieldSelector ? { fieldSelector: target.fieldSelector } : {}),
          },
          (phase: string, object: T & { code?: number }) => {
            if (settled) return;
            heard();
            if (phase === 'ERROR') return finish(object?.code === 410 ? 'expired' : 'error', object);
            version = object?.metadata?.resourceVersion ?? version;
            if (phase === 'BOOKMARK') return;
            if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED')
              deliver({ type: phase, object, relisted: false });
          },
          (error: unknown) => finish(error ? 'error' : 'closed', error ?? undefined),
        )
        .then((controller) => {
          abort = controller;
          watchStarted = Date.now();
          if (settled || stopped) controller.abort();
        })
        .catch((error: unknown) => finish('error', error));
    });

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const path = await kube.collectionPath(target.apiVersion, target.kind, target.namespace);
        const list = await kube.listWithVersion<T>(target.apiVersion, target.kind, {
          ...(target.namespace ? { namespace: target.namespace } : {}),
          ...(target.labelSelector ? { labelSelector: target.labelSelector } : {}),
          ...(target.fieldSelector ? { fieldSelector: target.fieldSelector } : {}),
        });
        heard();
        for (const change of planRelistChanges(known, list.items)) deliver(change);
        markSynced();
        let version = list.resourceVersion;
        const relistAt = Date.now() + settings.relistEveryMs;
        // Watch again from where the last one ended until it errs, stalls, expires or the relist is due.
        for (;;) {
          if (stopped) return;
          const ended = await watchOnce(path, version, relistAt);
          version = ended.resourceVersion;
          if (stopped) return;
          // The server ending a watch at its timeout is normal: watch again from where it was. client-node reports a
          // dropped connection the same way, so a watch that ends well before its timeout counts as dropped: watch
          // again after a backoff (the server replays what happened since that resourceVersion, or answers 410).
          if (ended.reason === 'closed' && ended.lastedMs >= ended.timeoutSeconds * 1000 - 1_000) {
            failures = 0;
            continue;
          }
          if (ended.reason === 'closed') ended.reason = 'dropped';
          metrics?.watchRestarts.inc({ ...watchLabel, reason: ended.reason });
          if (ended.reason === 'dropped') {
            failures++;
            const delay = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(failures - 1, 16));
            options.onError?.(ended.error ?? new Error('watch connection dropped'), {
              restartInMs: delay,
              reason: 'dropped',
            });
            await pause(delay);
            continue;
          }
          if (ended.reason === 'error' || ended.reason === 'stalled') {
            failures++;
            const delay = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(failures - 1, 16));
            options.onError?.(ended.error ?? new Error(`watch ${ended.reason}`), {
              restartInMs: delay,
              reason: ended.reason,
            });
            await pause(delay);
          } else failures = 0;
          break; // relist
        }
      } catch (error) {
        failures++;
        const delay = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(failures - 1, 16));
        metrics?.watchRestarts.inc({ ...watchLabel, reason: 'error' });
        options.onError?.(error, { restartInMs: delay, reason: 'error' });
        await pause(delay);
      }
    }
  };
  void run();

  return {
    synced,
    staleness: () => Date.now() - lastHeard,
    stop: () => {
      stopped = true;
      clearInterval(stalenessTimer);
      abort?.abort();
      wake?.();
    },
  };
}
