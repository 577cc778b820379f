// The syncer's reconciler on the controller kit (key: tenant id). From `tenant.claimed` to `tenant.released` it
// watches the tenant cluster's Services and Ingresses (watch-tenant-clusters.ts) and keeps the host's mirror of them
// in the tenant's namespace: observe → plan (pure) → apply → write back. Host watches on its own objects undo hand
// edits and deletions at once; the resync relists both sides, covers missed events and removes orphans (objects of a
// tenant no longer claimed), so a restart converges from whatever it finds.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { labelKeys } from '@kubelabs/domain';
import { KubeClient, tenantClusterClient, applySet } from '@kubelabs/kube';
import { EventPublisher } from '@kubelabs/messaging';
import { Persistence } from '@kubelabs/persistence';
import {
  OwnWrites,
  ReconcileLoop,
  reconcileMetrics,
  type ObjectChange,
  type ReconcileResult,
} from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import { ExposureApplier } from './apply-tenant-exposure';
import { limitsFrom, syncSettingsFrom, SyncerConfig } from './config';
import {
  observeHostExposure,
  observeLabExposure,
  observeTenant,
  observeTenantCredentials,
} from './observe-tenant-exposure';
import { planTenantExposure } from './plan-tenant-exposure';
import { allSyncerObjects, hostKinds, syncerSelector } from './sync-objects';
import { TenantClusterWatches } from './watch-tenant-clusters';

/** A Service whose host node ports are not read back yet, or a tenant without credentials, is looked at again. */
const recheckMs = 1_000;
/** A tenant the host refused an object for (quota) is looked at again after this long. */
const refusedRecheckMs = 3_000;
const fieldManager = 'kubelabs-syncer';

@Injectable()
export class SyncerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SyncerLoop');
  private readonly loop: ReconcileLoop;
  private readonly watches: TenantClusterWatches;
  private readonly applier: ExposureApplier;
  private readonly watchedGauge: { set(value: number): void };

  constructor(
    private readonly db: Persistence,
    private readonly kube: KubeClient,
    events: EventPublisher,
    @Inject(SyncerConfig) private readonly config: SyncerConfig,
    metrics: Metrics,
  ) {
    const hostWrites = new OwnWrites();
    const tenantWrites = new OwnWrites();
    this.applier = new ExposureApplier({
      host: kube,
      events,
      publicHost: config.EXPOSURE_PUBLIC_HOST,
      hostWrites,
      tenantWrites,
      written: metrics.counter('kubelabs_syncer_host_writes_total', 'Host objects written by the syncer', [
        'kind',
        'action',
      ]),
    });
    this.watchedGauge = metrics.gauge('kubelabs_syncer_watched_tenants', 'Tenant clusters the syncer watches');
    this.watches = new TenantClusterWatches({
      maxTenants: config.SYNC_MAX_WATCHED_TENANTS,
      relistEveryMs: config.RESYNC_INTERVAL_MS * 10,
      metrics: reconcileMetrics(metrics.registry),
      onChange: (tenantId, change) => {
        this.watchedGauge.set(this.watches.size);
        if (!tenantWrites.isEcho(change)) void this.loop.enqueue(tenantId, { afterMs: 20 });
      },
      onError: (tenantId, error, context) =>
        this.logger.warn({ err: error, tenant: tenantId, ...context }, 'tenant cluster watch restarting'),
    });
    const keysOf = (change: ObjectChange) => {
      if (hostWrites.isEcho(change)) return [];
      const tenantId = change.object.metadata?.labels?.[labelKeys.tenant];
      return tenantId ? [tenantId] : [];
    };
    this.loop = new ReconcileLoop(
      {
        name: 'syncer',
        reconcile: (tenantId) => this.reconcile(tenantId),
        concurrency: config.SYNC_CONCURRENCY,
        watchCoalesceMs: 20,
        watches: hostKinds.map(({ apiVersion, kind }) => ({
          target: { apiVersion, kind, labelSelector: allSyncerObjects(config.PLATFORM_ID) },
          keysOf,
        })),
        resync: { everyMs: config.RESYNC_INTERVAL_MS, keys: () => this.resyncKeys() },
      },
      { kube, registry: metrics.registry, logger: this.logger },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.watches.stopAll();
    await this.loop.stop();
  }

  /** Reconciles one tenant now (event handlers ack once it is done). */
  reconcileTenant(tenantId: string): Promise<void> {
    return this.loop.enqueue(tenantId);
  }

  private async reconcile(tenantId: string): Promise<ReconcileResult | void> {
    const tenant = await observeTenant(this.db, tenantId);
    if (!tenant || tenant.state !== 'claimed') {
      // Released, gone or not yet claimed: nothing of it may stay exposed.
      this.watches.stop(tenantId);
      this.watchedGauge.set(this.watches.size);
      const { pruned } = await applySet(this.kube, [], {
        selector: syncerSelector(this.config.PLATFORM_ID, tenantId),
        kinds: [...hostKinds],
      });
      if (pruned.length > 0) this.logger.log({ tenant: tenantId, objects: pruned.length }, 'removed host objects');
      return;
    }
    if (!this.watches.has(tenantId)) {
      const credentials = await observeTenantCredentials(this.kube, tenant.namespace);
      if (!credentials) return { requeueAfterMs: recheckMs };
      const started = this.watches.ensure(tenantId, () =>
        tenantClusterClient(
          {
            server: this.config.TENANT_API_URL_TEMPLATE.replaceAll('{namespace}', tenant.namespace),
            caCertificatePem: credentials.caCertificatePem,
            adminCertificatePem: credentials.adminCertificatePem,
            adminKeyPem: credentials.adminKeyPem,
            ...(this.config.TENANT_API_SERVER_NAME_TEMPLATE
              ? {
                  tlsServerName: this.config.TENANT_API_SERVER_NAME_TEMPLATE.replaceAll(
                    '{namespace}',
                    tenant.namespace,
                  ),
                }
              : {}),
          },
          fieldManager,
        ),
      );
      if (!started) {
        this.logger.warn({ tenant: tenantId, watched: this.watches.size }, 'every watch slot is taken; waiting');
        return { requeueAfterMs: this.config.RESYNC_INTERVAL_MS };
      }
    }
    // Until both watches have listed, the cluster's content is unknown: plan nothing (and prune nothing).
    const view = this.watches.view(tenantId);
    const client = this.watches.client(tenantId);
    if (!view || !client) return;
    const [observed, labLimits] = await Promise.all([
      observeHostExposure(this.kube, tenant.namespace, this.config.PLATFORM_ID, tenantId),
      observeLabExposure(this.db, tenant.labId),
    ]);
    const plan = planTenantExposure({
      tenant: { id: tenantId, namespace: tenant.namespace },
      limits: limitsFrom(this.config, labLimits),
      settings: syncSettingsFrom(this.config),
      services: view.services,
      ingresses: view.ingresses,
      foreignHostNames: observed.foreign,
    });
    const result = await this.applier.apply(
      { id: tenantId, namespace: tenant.namespace },
      plan,
      observed,
      view,
      client,
    );
    if (result.recheck) return { requeueAfterMs: recheckMs };
    return result.refused ? { requeueAfterMs: refusedRecheckMs } : undefined;
  }

  /** Claimed tenants, tenants being watched, and tenants that still own host objects (orphans to remove). */
  private async resyncKeys(): Promise<string[]> {
    const claimed = await this.db.tenants.find({ state: 'claimed' }, { _id: 1 }).lean().exec();
    const owners = await Promise.all(
      hostKinds.map(({ apiVersion, kind }) =>
        this.kube.list(apiVersion, kind, { labelSelector: allSyncerObjects(this.config.PLATFORM_ID) }),
      ),
    );
    const keys = new Set<string>([...claimed.map((t) => t._id), ...this.watches.tenants()]);
    for (const object of owners.flat()) {
      const tenantId = object.metadata?.labels?.[labelKeys.tenant];
      if (tenantId) keys.add(tenantId);
    }
    return [...keys];
  }
}
