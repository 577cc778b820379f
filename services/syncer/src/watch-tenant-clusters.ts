// The syncer's view of every claimed tenant cluster: per tenant, two watches on its own API (Services, Ingresses, all
// namespaces) that keep a cache of what it holds and wake the reconciler on a change. Bounded: at most
// `maxTenants` tenants watched (two connections each), each watch restarting with backoff and relisting on a period
// (the controller kit's `watchObjects`). A tenant's cache is only trusted once both watches have listed.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '@kubelabs/kube';
import { watchObjects, type ObjectChange, type ObjectWatch, type ReconcileMetrics } from '@kubelabs/reconcile';
import type { TenantIngress, TenantService } from './sync-objects';

export interface TenantClusterView {
  services: TenantService[];
  ingresses: TenantIngress[];
}

interface Watched {
  client: KubeClient;
  // Raw objects as the watches delivered them (wire JSON); typed when read.
  services: Map<string, KubernetesObject>;
  ingresses: Map<string, KubernetesObject>;
  watches: ObjectWatch[];
  synced: boolean;
}

export interface WatchTenantClustersOptions {
  maxTenants: number;
  relistEveryMs: number;
  onChange: (tenantId: string, change: ObjectChange) => void;
  onError: (tenantId: string, error: unknown, context: { restartInMs: number; reason: string }) => void;
  metrics?: ReconcileMetrics;
}

const uidOf = (object: KubernetesObject) =>
  object.metadata?.uid ?? `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

export class TenantClusterWatches {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly options: WatchTenantClustersOptions) {}

  get size(): number {
    return this.watched.size;
  }

  has(tenantId: string): boolean {
    return this.watched.has(tenantId);
  }

  /** Starts watching a tenant cluster (no-op when it is already watched); false when every slot is taken. */
  ensure(tenantId: string, client: () => KubeClient): boolean {
    if (this.watched.has(tenantId)) return true;
    if (this.watched.size >= this.options.maxTenants) return false;
    const entry: Watched = { client: client(), services: new Map(), ingresses: new Map(), watches: [], synced: false };
    this.watched.set(tenantId, entry);
    const track = (cache: Map<string, KubernetesObject>) => (change: ObjectChange) => {
      if (change.type === 'DELETED') cache.delete(uidOf(change.object));
      else cache.set(uidOf(change.object), change.object);
      this.options.onChange(tenantId, change);
    };
    const watchOptions = (kind: string) => ({
      name: `syncer/tenant-${kind}`,
      relistEveryMs: this.options.relistEveryMs,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      onError: (error: unknown, context: { restartInMs: number; reason: string }) =>
        this.options.onError(tenantId, error, context),
    });
    entry.watches.push(
      watchObjects(entry.client, { apiVersion: 'v1', kind: 'Service' }, track(entry.services), watchOptions('service')),
      watchObjects(
        entry.client,
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
        track(entry.ingresses),
        watchOptions('ingress'),
      ),
    );
    void Promise.all(entry.watches.map((w) => w.synced)).then(() => {
      if (this.watched.get(tenantId) !== entry) return;
      entry.synced = true;
      // Wake the reconciler once the cache is whole, even when the cluster holds nothing (no ADDED to say so).
      this.options.onChange(tenantId, {
        type: 'MODIFIED',
        object: { metadata: { name: '', namespace: '' } },
        relisted: true,
      });
    });
    return true;
  }

  /** What the tenant cluster holds, or undefined until both watches have listed it once. */
  view(tenantId: string): TenantClusterView | undefined {
    const entry = this.watched.get(tenantId);
    if (!entry?.synced) return undefined;
    return {
      services: [...entry.services.values()] as unknown as TenantService[],
      ingresses: [...entry.ingresses.values()] as unknown as TenantIngress[],
    };
  }

  /** The client the watches use (write-back goes through the same credentials). */
  client(tenantId: string): KubeClient | undefined {
    return this.watched.get(tenantId)?.client;
  }

  stop(tenantId: string): void {
    const entry = this.watched.get(tenantId);
    if (!entry) return;
    for (const watch of entry.watches) watch.stop();
    this.watched.delete(tenantId);
  }

  stopAll(): void {
    for (const tenantId of this.tenants()) this.stop(tenantId);
  }

  tenants(): string[] {
    return [...this.watched.keys()];
  }
}
