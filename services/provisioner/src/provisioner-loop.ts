// Wires the tenant reconciler into the controller kit: VirtualMachine changes and events enqueue a tenant at once; a
// poll re-checks tenants that are booting or being torn down; a slower resync reconciles every live tenant (restoring
// objects changed by hand) and collects owned namespaces that no live tenant explains.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import { labelKeys, platformSelector, type TenantState } from '@kubelabs/domain';
import { KubeClient } from '@kubelabs/kube';
import { EventPublisher } from '@kubelabs/messaging';
import { Persistence, TenantStore } from '@kubelabs/persistence';
import { ReconcileLoop } from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import { AppliedObjects, TenantPlanApplier } from './apply-tenant-plan';
import { ProvisionerConfig, renderOptionsFrom } from './config';
import { TenantReconciler } from './reconcile-tenant';

@Injectable()
export class ProvisionerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProvisionerLoop');
  private readonly loop: ReconcileLoop;

  constructor(
    private readonly db: Persistence,
    private readonly kube: KubeClient,
    events: EventPublisher,
    @Inject(ProvisionerConfig) private readonly config: ProvisionerConfig,
    metrics: Metrics,
  ) {
    const store = new TenantStore(db);
    const applier = new TenantPlanApplier(
      {
        kube,
        store,
        events,
        platformId: config.PLATFORM_ID,
        tenantApiPublicUrlTemplate: config.TENANT_API_PUBLIC_URL_TEMPLATE,
        renderOptions: renderOptionsFrom(config),
        // A little under the interval, so the resync pass that falls on it re-applies rather than the one after.
        reapplyAfterMs: Math.floor(config.TENANT_REAPPLY_INTERVAL_MS * 0.9),
      },
      new AppliedObjects(),
    );
    const reconciler = new TenantReconciler(
      {
        db,
        kube,
        tenantApiUrlTemplate: config.TENANT_API_URL_TEMPLATE,
        tenantSshAddressTemplate: config.TENANT_SSH_ADDRESS_TEMPLATE,
      },
      applier,
      store,
    );
    this.loop = new ReconcileLoop(
      {
        name: 'provisioner',
        reconcile: (tenantId) => reconciler.reconcile(tenantId),
        concurrency: config.PROVISION_CONCURRENCY,
        watches: [
          {
            target: {
              apiVersion: 'kubevirt.io/v1',
              kind: 'VirtualMachine',
              labelSelector: platformSelector(config.PLATFORM_ID),
            },
            keysOf: ({ object }) => {
              const tenantId = object.metadata?.labels?.[labelKeys.tenant];
              return tenantId ? [tenantId] : [];
            },
          },
        ],
        poll: { everyMs: config.READINESS_POLL_MS, keys: () => this.tenantsIn(['provisioning', 'releasing']) },
        resync: { everyMs: config.RESYNC_INTERVAL_MS, keys: () => this.resync() },
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

  /** Reconciles one tenant now (for event handlers: they ack once this pass is done). */
  reconcileTenant(tenantId: string): Promise<void> {
    return this.loop.enqueue(tenantId);
  }

  private async tenantsIn(states: TenantState[]): Promise<string[]> {
    const tenants = await this.db.tenants
      .find({ state: { $in: states } }, { _id: 1 })
      .lean()
      .exec();
    return tenants.map((tenant) => tenant._id);
  }

  /** Every tenant that is not deleted, and garbage collection: owned namespaces without a live tenant are deleted. */
  private async resync(): Promise<string[]> {
    const tenants = await this.db.tenants
      .find({ state: { $ne: 'deleted' } }, { _id: 1, namespace: 1 })
      .lean()
      .exec();
    const live = new Set(tenants.map((t) => t.namespace));
    const namespaces = await this.kube.list<KubernetesObject>('v1', 'Namespace', {
      labelSelector: platformSelector(this.config.PLATFORM_ID),
    });
    for (const namespace of namespaces) {
      const name = namespace.metadata?.name;
      if (!name || live.has(name) || namespace.metadata?.deletionTimestamp) continue;
      const tenantId = namespace.metadata?.labels?.[labelKeys.tenant];
      // Only namespaces that name a tenant are ours to collect; anything else with our label is left alone.
      if (!tenantId) continue;
      const tenant = await this.db.tenants.findById(tenantId, { state: 1 }).lean().exec();
      if (tenant && tenant.state !== 'deleted') continue;
      this.logger.log({ namespace: name, tenant: tenantId }, 'deleting a namespace with no live tenant');
      await this.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
    }
    return tenants.map((tenant) => tenant._id);
  }
}
