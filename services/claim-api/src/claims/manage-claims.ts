// Reading, releasing and extending claims. A claim-scoped key sees only the claims it made; another's claim id
// answers 404, exactly like an unknown one.
import { Injectable } from '@nestjs/common';
import { claimCancelledFact, claimExtendedFact, tenantReleasedFact } from '@kubelabs/contracts';
import { DomainError } from '@kubelabs/domain';
import { ClaimStore, Persistence, TenantStore, type ClaimDocument } from '@kubelabs/persistence';
import { isAdmin } from '../auth/api-key.guard';
import type { Caller } from '../auth/api-keys';
import { EventBus } from '../event-bus';
import { LabCatalog } from '../labs/lab-catalog';
import { ClaimApiSettings } from './claim-api-settings';
import { toClaimView, type ClaimView } from './claim-view';

@Injectable()
export class ManageClaims {
  private readonly store: ClaimStore;
  private readonly tenants: TenantStore;

  constructor(
    private readonly db: Persistence,
    private readonly labs: LabCatalog,
    private readonly events: EventBus,
    private readonly settings: ClaimApiSettings,
  ) {
    this.store = new ClaimStore(db);
    this.tenants = new TenantStore(db);
  }

  async find(claimId: string, caller: Caller): Promise<ClaimDocument> {
    const claim = await this.db.claims.findById(claimId).lean().exec();
    if (!claim || (!isAdmin(caller) && claim.apiKeyId !== caller.apiKeyId)) {
      throw new DomainError('claim.not_found', `no claim '${claimId}'`, { claimId });
    }
    return claim as ClaimDocument;
  }

  async view(claim: ClaimDocument): Promise<ClaimView> {
    if (claim.state === 'active' && claim.tenantId) {
      const tenant = await this.db.tenants.findById(claim.tenantId, { exposure: 1 }).lean().exec();
      return toClaimView(claim, tenant?.exposure ? { exposure: tenant.exposure } : {});
    }
    if (claim.state === 'pending') {
      const ahead = await this.db.claims.countDocuments({
        poolKey: claim.poolKey,
        state: 'pending',
        seq: { $lt: claim.seq },
      });
      return toClaimView(claim, { queuePosition: ahead + 1 });
    }
    return toClaimView(claim);
  }

  async list(caller: Caller, userId?: string): Promise<ClaimDocument[]> {
    const filter: Record<string, unknown> = {};
    if (userId) filter.userId = userId;
    if (!isAdmin(caller)) filter.apiKeyId = caller.apiKeyId;
    return (await this.db.claims.find(filter).sort({ seq: -1 }).limit(200).lean().exec()) as ClaimDocument[];
  }

  /**
   * Releases an active claim (its tenant is destroyed: a tenant is used once) or cancels a pending one. Releasing an
   * already ended claim is a no-op that returns it as it is.
   */
  async release(claimId: string, caller: Caller, reason: 'user' | 'admin' = 'user'): Promise<ClaimDocument> {
    const claim = await this.find(claimId, caller);
    const now = new Date();
    if (claim.state === 'pending') {
      const cancelled = await this.store.endClaim(claimId, 'cancelled', now);
      if (cancelled) {
        await this.events.publish(
          claimCancelledFact({
            claimId,
            userId: claim.userId,
            labId: claim.labId,
            kubernetesVersion: claim.kubernetesVersion,
            reason,
            cancelledAt: now,
          }),
        );
        return cancelled;
      }
      return this.release(claimId, caller, reason); // it turned active meanwhile: release that
    }
    if (claim.state === 'active') {
      const ended = await this.store.endClaim(claimId, 'released', now);
      if (ended && claim.tenantId) {
        // The fact to announce is written with the state change (an outbox): if this process dies before the publish,
        // the claims repair announces it; if it dies before this write, the repair releases the tenant.
        await this.tenants.markTenantReleasing(claim.tenantId, now, { reason, claimId, onlyClaimedBy: claimId });
        // One fact per tenant: the pool manager's release of the same tenant carries the same id.
        const announced = await this.events.publish(
          tenantReleasedFact({
            tenantId: claim.tenantId,
            claimId,
            labId: claim.labId,
            kubernetesVersion: claim.kubernetesVersion,
            reason,
            releasedAt: now,
          }),
        );
        if (announced) await this.tenants.markReleaseAnnounced(claim.tenantId, new Date());
      }
      return ended ?? (await this.find(claimId, caller));
    }
    await this.store.releaseSlot(claimId);
    return claim;
  }

  /** Extends by `minutes`, or without them by the lab's step (see planExtension), within the lab's maximum. */
  async extend(claimId: string, minutes: number | undefined, caller: Caller): Promise<ClaimDocument> {
    const claim = await this.find(claimId, caller);
    if (claim.state !== 'active')
      throw new DomainError('claim.not_active', `claim '${claimId}' is ${claim.state}, not active`);
    const lab = await this.labs.get(claim.labId);
    const extended = await this.store.extendClaim(claimId, minutes, lab.session);
    if (!extended) throw new DomainError('persistence.conflict', `claim '${claimId}' changed while extending; retry`);
    await this.events.publish(
      claimExtendedFact({
        claimId,
        tenantId: extended.tenantId!,
        userId: extended.userId,
        expiresAt: extended.expiresAt!,
      }),
    );
    return extended;
  }
}
