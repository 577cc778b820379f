// Drives the tenant reconciler: events and VirtualMachine changes enqueue a tenant at once; a poll re-checks tenants
// that are booting or being torn down; a slower resync adopts what it finds in the host cluster (an owned namespace
// without a live tenant is garbage) and what it finds in MongoDB (tenants whose event was lost).
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Gauge } from 'prom-client';
import { KubeClient } from '@kubelabs/kube';
import { EventPublisher } from '@kubelabs/messaging';
import { Persistence } from '@kubelabs/persistence';
import { Metrics } from '@kubelabs/runtime';
import { ProvisionerConfig } from './config';
import { platformLabel, TenantReconciler } from './reconcile-tenant';
import { TenantWorkQueue } from './tenant-work-queue';
import { VirtualMachineWatch } from './watch-virtual-machines';
import { labelKeys, managedByValue } from './render';

@Injectable()
export class ProvisionerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProvisionerLoop');
  private readonly reconciler: TenantReconciler;
  private readonly queue: TenantWorkQueue;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly queueDepth: Gauge<string>;
  private readonly watch: VirtualMachineWatch;

  constructor(
    private readonly db: Persistence,
    private readonly kube: KubeClient,
    events: EventPublisher,
    @Inject(ProvisionerConfig) private readonly config: ProvisionerConfig,
    metrics: Metrics,
  ) {
    this.reconciler = new TenantReconciler(db, kube, events, {
      platformId: config.PLATFORM_ID,
      tenantApiUrlTemplate: config.TENANT_API_URL_TEMPLATE,
      tenantApiPublicUrlTemplate: config.TENANT_API_PUBLIC_URL_TEMPLATE,
    });
    const passes = metrics.counter('kubelabs_provisioner_reconciles_total', 'Tenant reconcile passes');
    this.queue = new TenantWorkQueue(async (id) => {
      passes.inc();
      await this.reconciler.reconcile(id);
    }, config.PROVISION_CONCURRENCY);
    this.watch = new VirtualMachineWatch(
      kube,
      `${labelKeys.managedBy}=${managedByValue},${platformLabel}=${config.PLATFORM_ID}`,
      (tenantId) => {
        void this.queue.enqueue(tenantId);
      },
    );
    this.queueDepth = metrics.gauge('kubelabs_provisioner_queue_depth', 'Tenants queued or being reconciled');
  }

  onApplicationBootstrap(): void {
    this.watch.start();
    this.timers.push(setInterval(() => void this.pollActive(), this.config.READINESS_POLL_MS));
    this.timers.push(setInterval(() => void this.resync(), this.config.RESYNC_INTERVAL_MS));
    void this.resync();
  }

  async onApplicationShutdown(): Promise<void> {
    this.watch.stop();
    for (const timer of this.timers) clearInterval(timer);
    await this.queue.stop();
  }

  /** Reconciles one tenant now (for event handlers: they ack once this pass is done). */
  reconcileTenant(tenantId: string): Promise<void> {
    return this.queue.enqueue(tenantId);
  }

  private async pollActive(): Promise<void> {
    try {
      const tenants = await this.db.tenants
        .find({ state: { $in: ['provisioning', 'releasing'] } }, { _id: 1 })
        .lean()
        .exec();
      for (const tenant of tenants) void this.queue.enqueue(tenant._id);
      this.queueDepth.set(this.queue.size);
    } catch (error) {
      this.logger.warn({ err: error }, 'poll failed');
    }
  }

  /** Level-triggered correction: every live tenant once, and owned namespaces without a live tenant deleted. */
  async resync(): Promise<void> {
    try {
      const tenants = await this.db.tenants
        .find({ state: { $ne: 'deleted' } }, { _id: 1, namespace: 1 })
        .lean()
        .exec();
      for (const tenant of tenants) void this.queue.enqueue(tenant._id);
      const live = new Set(tenants.map((t) => t.namespace));
      const namespaces = await this.kube.list<KubernetesObject>('v1', 'Namespace', {
        labelSelector: `${labelKeys.managedBy}=${managedByValue},${platformLabel}=${this.config.PLATFORM_ID}`,
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
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed; the next one retries');
    }
  }
}
