// I/O only: carries out the planned actions. Each is one conditional write (so repeating it is harmless) followed by
// its event; an action whose condition no longer holds is skipped, and the next reconcile sees the new state.
import { randomBytes } from 'node:crypto';
import {
  tenantClaimedFact,
  tenantExpiringFact,
  tenantFailedFact,
  tenantProvisionRequestedFact,
  tenantReleasedFact,
} from '@kubelabs/contracts';
import { explainDeadlineFailure, renderAccess } from '@kubelabs/domain';
import type { EventPublisher } from '@kubelabs/messaging';
import { ClaimStore, TenantStore, type ClaimDocument, type Persistence } from '@kubelabs/persistence';
import type { ObservedPoolState } from './observe-pools';
import type { PoolAction, RetireReason } from './plan';

export interface ApplySettings {
  provisionTimeoutMs: number;
}

export function newTenantId(labId: string): string {
  const stem = labId.slice(0, 24).replace(/-+$/, '');
  return `t-${stem}-${randomBytes(4).toString('hex')}`;
}

const releaseReasonOf: Record<RetireReason, 'failed' | 'garbage'> = {
  failed: 'failed',
  'not-offered': 'garbage',
  'over-maximum': 'garbage',
};

export class PoolActionApplier {
  private readonly claims: ClaimStore;
  private readonly tenants: TenantStore;

  constructor(
    private readonly db: Persistence,
    private readonly events: EventPublisher,
    private readonly settings: ApplySettings,
  ) {
    this.claims = new ClaimStore(db);
    this.tenants = new TenantStore(db);
  }

  async apply(pool: ObservedPoolState, action: PoolAction, now: Date): Promise<void> {
    switch (action.type) {
      case 'provision':
        for (let i = 0; i < action.count; i++) await this.provision(pool, now);
        return;
      case 'assign':
        return this.assign(pool, action.tenantId, action.claimId, now);
      case 'notify-expiring':
        return this.notifyExpiring(pool, action.claimId, action.expiresAt, now);
      case 'expire':
        return this.expire(pool, action.claimId, action.tenantId, now);
      case 'retire':
        return this.release(pool, action.tenantId, undefined, releaseReasonOf[action.reason], now);
      case 'fail-stuck':
        return this.failStuck(pool, action.tenantId, now);
    }
  }

  private async provision(pool: ObservedPoolState, now: Date): Promise<void> {
    const deadline = new Date(now.getTime() + this.settings.provisionTimeoutMs);
    const tenant = await this.tenants.create(
      {
        id: newTenantId(pool.labId),
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        provisioningDeadline: deadline,
      },
      now,
    );
    await this.events.publishFact(
      tenantProvisionRequestedFact({
        tenantId: tenant._id,
        labId: tenant.labId,
        kubernetesVersion: tenant.kubernetesVersion,
        namespace: tenant.namespace,
        requestedAt: now,
        deadline,
      }),
    );
  }

  /** The slow path: the same conditional take as the claim API's, on a specific tenant, then the claim's activation. */
  private async assign(pool: ObservedPoolState, tenantId: string, claimId: string, now: Date): Promise<void> {
    const current = await this.db.tenants.findById(tenantId).lean().exec();
    const tenant =
      current?.state === 'claimed' && current.claimId === claimId
        ? current
        : await this.tenants.takeTenant(tenantId, claimId, now);
    if (!tenant) return;
    const duration = (pool.lab?.session.durationMinutes ?? 60) * 60_000;
    let claim: ClaimDocument | null = await this.claims.activateClaim(
      claimId,
      tenantId,
      now,
      new Date(now.getTime() + duration),
    );
    if (!claim) {
      claim = (await this.db.claims.findById(claimId).lean().exec()) as ClaimDocument | null;
      if (!claim || claim.state !== 'active' || claim.tenantId !== tenantId) {
        await this.tenants.returnTenant(tenantId, claimId); // the claim was cancelled meanwhile
        return;
      }
    }
    await this.events.publishFact(
      tenantClaimedFact({
        tenantId,
        claimId,
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        userId: claim.userId,
        claimedAt: claim.activatedAt ?? now,
        expiresAt: claim.expiresAt!,
        // The exposure opens after the claim (the enforcer reacts to tenant.claimed): access is 'opening' here.
        access: renderAccess(claimId, undefined),
      }),
    );
  }

  private async notifyExpiring(pool: ObservedPoolState, claimId: string, expiresAt: Date, now: Date): Promise<void> {
    const claim = await this.claims.markExpiringNotified(claimId, now);
    if (!claim?.tenantId) return;
    await this.events.publishFact(
      tenantExpiringFact({ tenantId: claim.tenantId, claimId, userId: claim.userId, expiresAt, now }),
    );
    void pool;
  }

  private async expire(pool: ObservedPoolState, claimId: string, tenantId: string, now: Date): Promise<void> {
    const ended = await this.claims.endClaim(claimId, 'expired', now);
    if (!ended) return;
    await this.release(pool, tenantId, claimId, 'expired', now);
  }

  private async release(
    pool: ObservedPoolState,
    tenantId: string,
    claimId: string | undefined,
    reason: 'expired' | 'failed' | 'garbage',
    now: Date,
  ): Promise<void> {
    const tenant = await this.tenants.markTenantReleasing(tenantId, now, { reason, ...(claimId ? { claimId } : {}) });
    if (!tenant) return;
    await this.events.publishFact(
      tenantReleasedFact({
        tenantId,
        ...(claimId ? { claimId } : {}),
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        reason,
        releasedAt: now,
      }),
    );
    await this.tenants.markReleaseAnnounced(tenantId, new Date());
  }

  private async failStuck(pool: ObservedPoolState, tenantId: string, now: Date): Promise<void> {
    // The provisioner's conditions say why it was not ready (a readiness check, a stuck bootstrap): the same reason
    // whether the provisioner or this backstop fails it first.
    const stuck = await this.db.tenants.findById(tenantId, { conditions: 1 }).lean().exec();
    const { reason, message } = explainDeadlineFailure(stuck?.conditions);
    if (!(await this.tenants.markFailed(tenantId, reason, { onlyPastDeadline: now }))) return;
    await this.events.publishFact(
      tenantFailedFact({ tenantId, labId: pool.labId, kubernetesVersion: pool.kubernetesVersion, reason, message }),
    );
  }
}
