// The only writer of claims, users' claim slots and idempotency records (tenants have their own, TenantStore). Each
// transition is one conditional update on one document, so concurrent claim API replicas and the pool manager can
// never activate a claim twice or give a user two holds.
import { DomainError, planExtension, type Claim, type Lab } from '@kubelabs/domain';
import type { Persistence } from './persistence';
import { isDuplicateKeyError } from './persistence-error';
import type { ClaimDocument } from './schemas';

export function toClaim(doc: ClaimDocument): Claim & { seq: number; poolKey: string; sshPublicKey?: string } {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as Claim & { seq: number; poolKey: string };
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

  /** Deletes one hold, only while it still names `claimId` (the repair's undo of a half-made claim). */
  async deleteHold(holdId: string, claimId: string): Promise<boolean> {
    const result = await this.db.claimHolds.deleteOne({ _id: holdId, claimId }).exec();
    return result.deletedCount === 1;
  }

  /** Idempotency records older than `before` are forgotten: a key is a retry token, not a permanent name. */
  async expireIdempotencyRecords(before: Date): Promise<number> {
    const result = await this.db.idempotencyRecords.deleteMany({ createdAt: { $lt: before } }).exec();
    return result.deletedCount;
  }

  /** Marks idempotency records whose claim exists: the repair never checks them again. */
  async confirmIdempotencyRecords(recordIds: string[], now: Date): Promise<void> {
    if (recordIds.length === 0) return;
    await this.db.idempotencyRecords.updateMany({ _id: { $in: recordIds } }, { $set: { confirmedAt: now } }).exec();
  }

  async releaseSlot(claimId: string): Promise<void> {
    await this.db.claimHolds.deleteOne({ claimId }).exec();
  }

  /**
   * Records that the request `requestHash` under idempotency record `recordId` makes `claimId`. False when the record
   * already exists (a replay, or a reuse with another request: the caller reads it to tell which).
   */
  async reserveIdempotencyKey(recordId: string, claimId: string, requestHash: string, now: Date): Promise<boolean> {
    try {
      await this.db.idempotencyRecords.create({ _id: recordId, claimId, requestHash, createdAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Undoes reserveIdempotencyKey for a request that failed before its claim was written (only that request's). */
  async releaseIdempotencyKey(recordId: string, claimId: string): Promise<void> {
    await this.db.idempotencyRecords.deleteOne({ _id: recordId, claimId }).exec();
  }

  /**
   * Writes a new claim as built by the claim API (validated at the edge): a lean insert that skips mongoose's
   * casting, on the claim path's hot loop.
   */
  async createClaim(claim: ClaimDocument): Promise<void> {
    await this.db.claims.collection.insertOne(claim as never);
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

  /**
   * Marks an active claim as warned of its expiry; returns it when this call marked it (that caller sends the
   * warning), null when it was already warned or is no longer active. Extending a claim clears the mark.
   */
  async markExpiringNotified(claimId: string, now: Date): Promise<ClaimDocument | null> {
    return this.db.claims
      .findOneAndUpdate(
        { _id: claimId, state: 'active', expiringNotifiedAt: { $exists: false } },
        { $set: { expiringNotifiedAt: now } },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<ClaimDocument | null>;
  }

  /**
   * Extends an active claim's expiry within the lab's maximum extension: by `requested` minutes, or without them by
   * the lab's step (planExtension).
   */
  async extendClaim(
    claimId: string,
    requested: number | undefined,
    session: Lab['session'],
  ): Promise<ClaimDocument | null> {
    const claim = await this.db.claims.findOne({ _id: claimId, state: 'active' }).lean().exec();
    if (!claim || !claim.expiresAt) return null;
    const plan = planExtension(session, claim.extendedMinutes, requested);
    if ('exceeded' in plan) {
      const { maxExtensionMinutes } = session;
      throw new DomainError(
        'claim.extension_exceeded',
        requested === undefined
          ? `the lab's maximum extension of ${maxExtensionMinutes} min is used up (${claim.extendedMinutes} used)`
          : `extending by ${requested} min would exceed the lab's maximum extension of ${maxExtensionMinutes} min (${claim.extendedMinutes} used)`,
        { usedMinutes: claim.extendedMinutes, maxExtensionMinutes },
      );
    }
    const { minutes } = plan;
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

  /**
   * Starts a check run on an active claim: true when this call took the run (nobody else runs checks on it, or the
   * last run's hold has lapsed), false otherwise. The hold lapses by itself at `until`: a crashed run blocks nothing
   * for longer.
   */
  async beginCheckRun(claimId: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.db.claims
      .updateOne(
        {
          _id: claimId,
          state: 'active',
          $or: [{ checksRunUntil: { $exists: false } }, { checksRunUntil: null }, { checksRunUntil: { $lte: now } }],
        },
        { $set: { checksRunUntil: until } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Ends the run begun with `until` (and only that one: a later run's hold is left alone). */
  async endCheckRun(claimId: string, until: Date): Promise<void> {
    await this.db.claims.updateOne({ _id: claimId, checksRunUntil: until }, { $unset: { checksRunUntil: 1 } }).exec();
  }
}
