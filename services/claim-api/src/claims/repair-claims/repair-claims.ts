// The claims repair: a reconciler on the controller kit, run at start-up and on a period, that finishes or undoes
// what a process killed between two writes of the claim path left behind (see plan-claim-repairs.ts for the rules).
// Every step is one conditional write, so several claim API replicas repairing at once do no harm.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { tenantReleasedFact } from '@kubelabs/contracts';
import { ClaimStore, Persistence, TenantStore } from '@kubelabs/persistence';
import { ReconcileLoop } from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import type { Counter } from 'prom-client';
import { ClaimApiConfig } from '../../config';
import { EventBus } from '../../event-bus';
import { observeClaimState } from './observe-claim-state';
import { planClaimRepairs, type ClaimRepair } from './plan-claim-repairs';

const repairKey = 'claims';

@Injectable()
export class RepairClaims implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RepairClaims');
  private readonly loop: ReconcileLoop;
  private readonly claims: ClaimStore;
  private readonly tenants: TenantStore;
  private readonly repaired: Counter<string>;

  constructor(
    private readonly db: Persistence,
    private readonly events: EventBus,
    @Inject(ClaimApiConfig) private readonly config: ClaimApiConfig,
    metrics: Metrics,
  ) {
    this.claims = new ClaimStore(db);
    this.tenants = new TenantStore(db);
    this.repaired = metrics.counter('kubelabs_claim_repairs_total', 'Half-done claim path states repaired', ['type']);
    this.loop = new ReconcileLoop(
      {
        name: 'claims-repair',
        reconcile: () => this.repairOnce(),
        concurrency: 1,
        backoff: { baseMs: 200, maxMs: config.CLAIM_REPAIR_INTERVAL_MS },
        resync: { everyMs: config.CLAIM_REPAIR_INTERVAL_MS, keys: async () => [repairKey] },
      },
      { registry: metrics.registry, logger: this.logger },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass now (tests and operators); resolves when it has finished. */
  repairNow(): Promise<void> {
    return this.loop.enqueue(repairKey);
  }

  private async repairOnce(now = new Date()): Promise<void> {
    const graceMs = this.config.CLAIM_REPAIR_GRACE_MS;
    const observed = await observeClaimState(this.db, now, graceMs);
    const repairs = planClaimRepairs(observed, now, graceMs);
    for (const repair of repairs) {
      await this.apply(repair, now);
      if (repair.type !== 'confirm-idempotency-records') {
        this.repaired.inc({ type: repair.type });
        this.logger.warn({ repair }, 'repaired a half-done claim path state');
      }
    }
    await this.claims.expireIdempotencyRecords(
      new Date(now.getTime() - this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
    );
  }

  private async apply(repair: ClaimRepair, now: Date): Promise<void> {
    switch (repair.type) {
      case 'delete-hold':
        await this.claims.deleteHold(repair.holdId, repair.claimId);
        return;
      case 'delete-idempotency-record':
        await this.claims.releaseIdempotencyKey(repair.recordId, repair.claimId);
        return;
      case 'confirm-idempotency-records':
        await this.claims.confirmIdempotencyRecords(repair.recordIds, now);
        return;
      case 'release-tenant': {
        const released = await this.tenants.markTenantReleasing(repair.tenant.id, now, {
          reason: repair.reason,
          claimId: repair.claimId,
          onlyClaimedBy: repair.claimId,
        });
        if (released) await this.announce(repair.tenant, repair.reason, repair.claimId, now);
        return;
      }
      case 'announce-release':
        await this.announce(repair.tenant, repair.reason, repair.claimId, repair.releasedAt);
        return;
      case 'end-claim':
        await this.claims.endClaim(repair.claimId, 'released', now);
        return;
    }
  }

  private async announce(
    tenant: { id: string; labId: string; kubernetesVersion: string },
    reason: Parameters<typeof tenantReleasedFact>[0]['reason'],
    claimId: string | undefined,
    releasedAt: Date,
  ): Promise<void> {
    const published = await this.events.publish(
      tenantReleasedFact({
        tenantId: tenant.id,
        ...(claimId ? { claimId } : {}),
        labId: tenant.labId,
        kubernetesVersion: tenant.kubernetesVersion,
        reason,
        releasedAt,
      }),
    );
    if (published) await this.tenants.markReleaseAnnounced(tenant.id, new Date());
  }
}
