// The only writers of claim and tenant ownership. Each transition is one conditional update on one document, so
// concurrent claim API replicas and the pool manager can never give a tenant to two claims or a user two holds.
import { DomainError, type Claim, type Tenant } from '@kubelabs/domain';
import type { Persistence } from './persistence';
import { isDuplicateKeyError } from './persistence-error';
import type { ClaimDocument, TenantDocument } from './schemas';

export function toClaim(doc: ClaimDocument): Claim & { seq: number; poolKey: string; sshPublicKey?: string } {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as Claim & { seq: number; poolKey: string };
}

export function toTenant(doc: TenantDocument): Tenant & { poolKey: string } {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as Tenant & { poolKey: string };
}

export class ClaimStore {
  constructor(private readonly db: Persistence) {}

  /**
   * Takes one of the user's `maxPerUser` claim slots for `claimId`, or throws claim.user_limit_reached. A slot is a
   * document keyed `${userId}#${slot}`: the unique _id is what makes the rule hold under concurrency.
   */
  async reserveSlot(userId: string, claimId: string, maxPerUser: number, now: Date): Promise<void> {
    for (let slot = 0; slot < maxPerUser; slot++) {
      try {
        await this.db.claimHolds.collection.insertOne({
          _id: `${userId}#${slot}`,
          userId,
          claimId,
          createdAt: now,
        } as never);
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw new DomainError('claim.user_limit_reached', `user ${userId} already holds ${maxPerUser} live claim(s)`, {
      userId,
      maxPerUser,
    });
  }

  async releaseSlot(claimId: string): Promise<void> {
    await this.db.claimHolds.deleteOne({ claimId }).exec();
  }

  /** Atomically takes the oldest ready tenant of a pool for a claim; null when none is ready. */
  async takeReadyTenant(poolKey: string, claimId: string, now: Date): Promise<TenantDocument | null> {
    return this.db.tenants
      .findOneAndUpdate(
        { poolKey, state: 'ready' },
        { $set: { state: 'claimed', claimId, claimedAt: now } },
        { sort: { readyAt: 1, _id: 1 }, returnDocument: 'after', lean: true },
      )
      .exec() as Promise<TenantDocument | null>;
  }

  /** Takes a specific ready tenant (the slow path, when the pool manager hands a new tenant to a waiting claim). */
  async takeTenant(tenantId: string, claimId: string, now: Date): Promise<TenantDocument | null> {
    return this.db.tenants
      .findOneAndUpdate(
        { _id: tenantId, state: 'ready' },
        { $set: { state: 'claimed', claimId, claimedAt: now } },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<TenantDocument | null>;
  }

  /** Gives a tenant taken for a claim that never got it back to the pool (nobody has seen its access). */
  async returnTenant(tenantId: string, claimId: string): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne(
        { _id: tenantId, state: 'claimed', claimId },
        { $set: { state: 'ready' }, $unset: { claimId: 1, claimedAt: 1 } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Pending → active with the given tenant; false when the claim is no longer pending. */
  async activateClaim(claimId: string, tenantId: string, now: Date, expiresAt: Date): Promise<ClaimDocument | null> {
    return this.db.claims
      .findOneAndUpdate(
        { _id: claimId, state: 'pending' },
        { $set: { state: 'active', tenantId, activatedAt: now, expiresAt } },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<ClaimDocument | null>;
  }

  /**
   * Ends a live claim (active → released/expired, pending → cancelled) and frees the user's slot. Returns the claim
   * as it was ended, or null when it was not live (already ended: idempotent).
   */
  async endClaim(
    claimId: string,
    state: 'released' | 'expired' | 'cancelled',
    now: Date,
  ): Promise<ClaimDocument | null> {
    const from = state === 'cancelled' ? 'pending' : 'active';
    const ended = (await this.db.claims
      .findOneAndUpdate(
        { _id: claimId, state: from },
        { $set: { state, endedAt: now } },
        { returnDocument: 'after', lean: true },
      )
      .exec()) as ClaimDocument | null;
    await this.releaseSlot(claimId);
    return ended;
  }

  /** claimed → releasing, so the provisioner tears it down; a tenant is used once and then destroyed. */
  async markTenantReleasing(tenantId: string, now: Date): Promise<TenantDocument | null> {
    return this.db.tenants
      .findOneAndUpdate(
        { _id: tenantId, state: { $in: ['claimed', 'ready', 'failed', 'provisioning'] } },
        { $set: { state: 'releasing', releasedAt: now } },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<TenantDocument | null>;
  }

  /** Extends an active claim's expiry within the lab's maximum extension. */
  async extendClaim(claimId: string, minutes: number, maxExtensionMinutes: number): Promise<ClaimDocument | null> {
    const claim = await this.db.claims.findOne({ _id: claimId, state: 'active' }).lean().exec();
    if (!claim || !claim.expiresAt) return null;
    if (claim.extendedMinutes + minutes > maxExtensionMinutes) {
      throw new DomainError(
        'claim.extension_exceeded',
        `extending by ${minutes} min would exceed the lab's maximum extension of ${maxExtensionMinutes} min (${claim.extendedMinutes} used)`,
        { usedMinutes: claim.extendedMinutes, maxExtensionMinutes },
      );
    }
    const expiresAt = new Date(claim.expiresAt.getTime() + minutes * 60_000);
    // Conditional on the values read, so two concurrent extensions cannot both pass the bound.
    return this.db.claims
      .findOneAndUpdate(
        { _id: claimId, state: 'active', extendedMinutes: claim.extendedMinutes, expiresAt: claim.expiresAt },
        { $set: { expiresAt }, $inc: { extendedMinutes: minutes }, $unset: { expiringNotifiedAt: 1 } },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<ClaimDocument | null>;
  }
}
