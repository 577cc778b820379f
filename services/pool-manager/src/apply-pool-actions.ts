// I/O only: carries out the planned actions. Each is one conditional write (so repeating it is harmless) followed by
// its event; an action whose condition no longer holds is skipped, and the next reconcile sees the new state.
import { randomBytes } from 'node:crypto';
import { renderAccess, stableUuid, tenantNamespace, type AccessSettings } from '@kubelabs/domain';
import type { EventPublisher } from '@kubelabs/messaging';
import { ClaimStore, type ClaimDocument, type Persistence, type TenantDocument } from '@kubelabs/persistence';
import type { ObservedPoolState } from './observe-pools';
import type { PoolAction, RetireReason } from './plan';

export interface ApplySettings {
  provisionTimeoutMs: number;
  access: AccessSettings;
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
  private readonly store: ClaimStore;

  constructor(
    private readonly db: Persistence,
    private readonly events: EventPublisher,
    private readonly settings: ApplySettings,
  ) {
    this.store = new ClaimStore(db);
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

  /** A claimed tenant whose claim never got written: nobody saw its access, so it goes back to the pool. */
  async returnOrphan(tenant: TenantDocument): Promise<void> {
    if (tenant.claimId) await this.store.returnTenant(tenant._id, tenant.claimId);
  }

  private async provision(pool: ObservedPoolState, now: Date): Promise<void> {
    const id = newTenantId(pool.labId);
    const deadline = new Date(now.getTime() + this.settings.provisionTimeoutMs);
    const namespace = tenantNamespace(id);
    await this.db.tenants.create({
      _id: id,
      labId: pool.labId,
      kubernetesVersion: pool.kubernetesVersion,
      poolKey: pool.key,
      namespace,
      state: 'provisioning',
      step: 'requested',
      provisioningDeadline: deadline,
      createdAt: now,
      conditions: [],
    });
    await this.events.publish(
      'tenant.provision.requested',
      {
        tenantId: id,
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        namespace,
        requestedAt: now.toISOString(),
        deadline: deadline.toISOString(),
      },
      { subject: id, id: stableUuid(`provision:${id}`) },
    );
  }

  /** The slow path: the same conditional take as the claim API's, on a specific tenant, then the claim's activation. */
  private async assign(pool: ObservedPoolState, tenantId: string, claimId: string, now: Date): Promise<void> {
    const current = await this.db.tenants.findById(tenantId).lean().exec();
    const tenant =
      current?.state === 'claimed' && current.claimId === claimId
        ? current
        : await this.store.takeTenant(tenantId, claimId, now);
    if (!tenant) return;
    const duration = (pool.lab?.session.durationMinutes ?? 60) * 60_000;
    let claim: ClaimDocument | null = await this.store.activateClaim(
      claimId,
      tenantId,
      now,
      new Date(now.getTime() + duration),
    );
    if (!claim) {
      claim = (await this.db.claims.findById(claimId).lean().exec()) as ClaimDocument | null;
      if (!claim || claim.state !== 'active' || claim.tenantId !== tenantId) {
        await this.store.returnTenant(tenantId, claimId); // the claim was cancelled meanwhile
        return;
      }
    }
    await this.events.publish(
      'tenant.claimed',
      {
        tenantId,
        claimId,
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        userId: claim.userId,
        claimedAt: (claim.activatedAt ?? now).toISOString(),
        expiresAt: claim.expiresAt!.toISOString(),
        access: renderAccess(tenant.namespace, claimId, this.settings.access),
      },
      { subject: tenantId, id: stableUuid(`claimed:${tenantId}:${claimId}`) },
    );
  }

  private async notifyExpiring(pool: ObservedPoolState, claimId: string, expiresAt: Date, now: Date): Promise<void> {
    const claim = await this.db.claims
      .findOneAndUpdate(
        { _id: claimId, state: 'active', expiringNotifiedAt: { $exists: false } },
        { $set: { expiringNotifiedAt: now } },
        { returnDocument: 'after', lean: true },
      )
      .exec();
    if (!claim?.tenantId) return;
    await this.events.publish(
      'tenant.expiring',
      {
        tenantId: claim.tenantId,
        claimId,
        userId: claim.userId,
        expiresAt: expiresAt.toISOString(),
        minutesLeft: Math.max(0, Math.round((expiresAt.getTime() - now.getTime()) / 60_000)),
      },
      { subject: claim.tenantId, id: stableUuid(`expiring:${claimId}:${expiresAt.getTime()}`) },
    );
    void pool;
  }

  private async expire(pool: ObservedPoolState, claimId: string, tenantId: string, now: Date): Promise<void> {
    const ended = await this.store.endClaim(claimId, 'expired', now);
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
    const tenant = await this.store.markTenantReleasing(tenantId, now);
    if (!tenant) return;
    await this.events.publish(
      'tenant.released',
      {
        tenantId,
        ...(claimId ? { claimId } : {}),
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        reason,
        releasedAt: now.toISOString(),
      },
      { subject: tenantId, id: stableUuid(`released:${tenantId}`) },
    );
  }

  private async failStuck(pool: ObservedPoolState, tenantId: string, now: Date): Promise<void> {
    const result = await this.db.tenants
      .updateOne(
        { _id: tenantId, state: 'provisioning', provisioningDeadline: { $lte: now } },
        { $set: { state: 'failed', failureReason: 'provision.timeout' } },
      )
      .exec();
    if (result.modifiedCount === 0) return;
    await this.events.publish(
      'tenant.failed',
      {
        tenantId,
        labId: pool.labId,
        kubernetesVersion: pool.kubernetesVersion,
        reason: 'provision.timeout',
        message: 'the tenant was not ready before its provisioning deadline',
      },
      { subject: tenantId, id: stableUuid(`failed:${tenantId}`) },
    );
  }
}
