// The claim fast path: one user slot (unique key), then one conditional update that takes the oldest ready tenant
// of the pool, or a pending claim queued in arrival order when none is ready or others are already waiting.
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { claimRequestedFact, tenantClaimedFact } from '@kubelabs/contracts';
import { DomainError, generateSshKeyPair, poolKey, renderAccess, type OpenedExposure } from '@kubelabs/domain';
import { ClaimStore, Persistence, TenantStore, type ClaimDocument } from '@kubelabs/persistence';
import type { Caller } from '../../auth/api-keys';
import { EventBus } from '../../event-bus';
import { LabCatalog } from '../../labs/lab-catalog';
import { ClaimApiSettings } from '../claim-api-settings';
import { nextArrivalOrder } from './arrival-order';
import type { CreateClaimRequest } from './create-claim.dto';

export interface CreateClaimResult {
  claim: ClaimDocument;
  /** false when an Idempotency-Key replay returned an earlier claim. */
  created: boolean;
  /** The tenant's exposure (an Idempotency-Key replay of a claim whose exposure has opened since). */
  exposure?: OpenedExposure;
  sshPrivateKey?: string;
}

export function newClaimId(): string {
  return `c-${randomBytes(8).toString('hex')}`;
}

@Injectable()
export class CreateClaim {
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

  async execute(
    request: CreateClaimRequest,
    caller: Caller,
    idempotencyKey?: string,
    { generateSshKey = true }: { generateSshKey?: boolean } = {},
  ): Promise<CreateClaimResult> {
    const { lab, kubernetesVersion } = await this.labs.resolveVersion(request.labId, request.kubernetesVersion);
    const now = new Date();
    const claimId = newClaimId();

    if (idempotencyKey) {
      const replay = await this.recordIdempotencyKey(caller, idempotencyKey, request, claimId, now);
      if (replay) return replay;
    }

    let sshPublicKey = request.sshPublicKey;
    let sshPrivateKey: string | undefined;
    if (!sshPublicKey && generateSshKey) {
      const pair = generateSshKeyPair(`kubelabs ${claimId}`);
      sshPublicKey = pair.public;
      sshPrivateKey = pair.private;
    }

    try {
      await this.store.reserveSlot(request.userId, claimId, this.settings.maxClaimsPerUser, now);
    } catch (error) {
      if (idempotencyKey) await this.store.releaseIdempotencyKey(idempotencyRecordId(caller, idempotencyKey), claimId);
      throw error;
    }
    const pool = poolKey(lab.id, kubernetesVersion);
    const seq = nextArrivalOrder(now.getTime());
    const base = {
      _id: claimId,
      userId: request.userId,
      labId: lab.id,
      kubernetesVersion,
      poolKey: pool,
      seq,
      requestedAt: now,
      createdAt: now,
      updatedAt: now,
      extendedMinutes: 0,
      apiKeyId: caller.apiKeyId,
      sshPublicKey,
    };

    // A new claim never overtakes a waiting one: with claims already queued for this pool, it queues too.
    const othersWaiting = await this.db.claims.exists({ poolKey: pool, state: 'pending' });
    const tenant = othersWaiting ? null : await this.tenants.takeReadyTenant(pool, claimId, now);
    let claim: ClaimDocument;
    if (tenant) {
      const expiresAt = new Date(now.getTime() + lab.session.durationMinutes * 60_000);
      claim = { ...base, state: 'active', tenantId: tenant._id, activatedAt: now, expiresAt } as ClaimDocument;
    } else {
      claim = { ...base, state: 'pending' } as ClaimDocument;
    }
    try {
      await this.store.createClaim(claim);
    } catch (error) {
      // Nothing half-written: give back what this request took before it failed.
      if (tenant) await this.tenants.returnTenant(tenant._id, claimId);
      await this.store.releaseSlot(claimId);
      if (idempotencyKey) await this.store.releaseIdempotencyKey(idempotencyRecordId(caller, idempotencyKey), claimId);
      throw error;
    }

    if (tenant) {
      // The same fact (and id) the pool manager would publish for this pair, so JetStream keeps one copy.
      await this.events.publish(
        tenantClaimedFact({
          tenantId: tenant._id,
          claimId,
          labId: lab.id,
          kubernetesVersion,
          userId: request.userId,
          claimedAt: now,
          expiresAt: claim.expiresAt!,
          // The exposure opens after the claim (the enforcer reacts to tenant.claimed): access is 'opening' here.
          access: renderAccess(claimId, undefined),
        }),
      );
    } else {
      await this.events.publish(
        claimRequestedFact({ claimId, labId: lab.id, kubernetesVersion, userId: request.userId, requestedAt: now }),
      );
    }
    return {
      claim,
      created: true,
      ...(sshPrivateKey ? { sshPrivateKey } : {}),
    };
  }

  /**
   * Stores `${apiKeyId}:${key}` → claimId (unique _id). Returns the earlier claim when the key was already used with
   * the same request, and rejects a reuse of the key with a different request.
   */
  private async recordIdempotencyKey(
    caller: Caller,
    key: string,
    request: CreateClaimRequest,
    claimId: string,
    now: Date,
  ): Promise<CreateClaimResult | null> {
    const id = idempotencyRecordId(caller, key);
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([request.labId, request.userId, request.kubernetesVersion ?? '', request.sshPublicKey ?? '']),
      )
      .digest('hex');
    if (await this.store.reserveIdempotencyKey(id, claimId, requestHash, now)) return null;
    const record = await this.db.idempotencyRecords.findById(id).lean().exec();
    if (!record) throw new DomainError('persistence.conflict', 'the Idempotency-Key is being used concurrently; retry');
    if (record.requestHash !== requestHash) {
      throw new DomainError(
        'claim.idempotency_conflict',
        'this Idempotency-Key was already used with a different request',
      );
    }
    const claim = await this.db.claims.findById(record.claimId).lean().exec();
    if (!claim)
      throw new DomainError(
        'persistence.conflict',
        'the request with this Idempotency-Key is still being processed; retry',
      );
    const tenant = claim.tenantId
      ? await this.db.tenants.findById(claim.tenantId, { exposure: 1 }).lean().exec()
      : null;
    return {
      claim: claim as ClaimDocument,
      created: false,
      ...(tenant?.exposure ? { exposure: tenant.exposure } : {}),
    };
  }
}

function idempotencyRecordId(caller: Caller, key: string): string {
  return `${caller.apiKeyId}:${key}`;
}
