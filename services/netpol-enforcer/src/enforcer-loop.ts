// The network-policy enforcer's reconciler on the controller kit (key: tenant id): observe → render the desired
// sets → plan → apply. Namespace watches make the baseline appear right after the provisioner creates a namespace;
// watches on its own objects restore anything deleted or edited by hand at once; the resync covers missed events.
// Restarting it changes nothing that is already right (server-side apply of unchanged objects is a no-op).
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { platformSelector } from '@kubelabs/domain';
import { KubeClient } from '@kubelabs/kube';
import { EventPublisher } from '@kubelabs/messaging';
import { Persistence, TenantStore } from '@kubelabs/persistence';
import { OwnWrites, ReconcileLoop, type ObjectChange, type ReconcileResult } from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import { IsolationApplier } from './apply-tenant-isolation';
import { NetpolEnforcerConfig } from './config';
import { allEnforcerObjects, enforcerKinds } from './enforcer-selectors';
import { observeTenantIsolation, tenantOf } from './observe-tenant-isolation';
import { planTenantIsolation } from './plan-tenant-isolation';
import { renderDesiredSets } from './render-desired-sets';

/** A LoadBalancer without its address yet is looked at again after this long. */
const exposureRecheckMs = 2_000;

@Injectable()
export class EnforcerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EnforcerLoop');
  private readonly loop: ReconcileLoop;
  private readonly applier: IsolationApplier;

  constructor(
    private readonly db: Persistence,
    private readonly kube: KubeClient,
    events: EventPublisher,
    @Inject(NetpolEnforcerConfig) private readonly config: NetpolEnforcerConfig,
    metrics: Metrics,
  ) {
    const ownWrites = new OwnWrites();
    this.applier = new IsolationApplier({
      ownWrites,
      kube,
      store: new TenantStore(db),
      events,
      publicHost: config.EXPOSURE_PUBLIC_HOST,
      restored: metrics.counter('kubelabs_enforcer_objects_restored_total', 'Enforcer objects restored after drift'),
    });
    const keysOf = (change: ObjectChange) => {
      // Its own writes come back as watch events: only someone else's change is worth a pass.
      if (ownWrites.isEcho(change)) return [];
      const tenantId = tenantOf(change.object);
      return tenantId ? [tenantId] : [];
    };
    this.loop = new ReconcileLoop(
      {
        name: 'netpol-enforcer',
        reconcile: (tenantId) => this.reconcile(tenantId),
        concurrency: config.ENFORCER_CONCURRENCY,
        watchCoalesceMs: 20,
        watches: [
          {
            target: { apiVersion: 'v1', kind: 'Namespace', labelSelector: platformSelector(config.PLATFORM_ID) },
            keysOf,
          },
          ...enforcerKinds.map(({ apiVersion, kind }) => ({
            target: { apiVersion, kind, labelSelector: allEnforcerObjects(config.PLATFORM_ID) },
            keysOf,
          })),
        ],
        resync: { everyMs: config.ENFORCER_RESYNC_INTERVAL_MS, keys: () => this.liveTenants() },
      },
      { kube, registry: metrics.registry, logger: this.logger },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Reconciles one tenant now (event handlers ack once it is done). */
  reconcileTenant(tenantId: string): Promise<void> {
    return this.loop.enqueue(tenantId);
  }

  private async reconcile(tenantId: string): Promise<ReconcileResult | void> {
    const now = new Date();
    const snapshot = await observeTenantIsolation(this.db, this.kube, this.config.PLATFORM_ID, tenantId);
    if (!snapshot) return; // gone is success
    const desired = renderDesiredSets(snapshot, this.config);
    const plan = planTenantIsolation(snapshot.observed, desired);
    if (plan.drifted.length > 0)
      this.logger.warn({ tenant: tenantId, objects: plan.drifted }, 'restoring objects changed by hand');
    const recheck = await this.applier.apply(snapshot, plan, now);
    return recheck ? { requeueAfterMs: exposureRecheckMs } : undefined;
  }

  private async liveTenants(): Promise<string[]> {
    const tenants = await this.db.tenants
      .find(
        { $or: [{ state: { $in: ['provisioning', 'ready', 'claimed', 'releasing'] } }, { 'exposure.state': 'open' }] },
        { _id: 1 },
      )
      .lean()
      .exec();
    return tenants.map((t) => t._id);
  }
}
