// The only writer of tenant documents. Each transition is one conditional update on one document (the condition is
// the state it leaves), so the claim API, the pool manager and the provisioner can race without giving a tenant to
// two claims, reviving a released one, or announcing a transition twice: the caller that changed it publishes.
import {
  DomainError,
  poolKey,
  tenantNamespace,
  type Condition,
  type Tenant,
  type TenantExposure,
} from '@kubelabs/domain';
import { mergeConditions, sameConditions, type ConditionUpdate } from './merge-conditions';
import type { Persistence } from './persistence';
import type { TenantDocument } from './schemas';

export function toTenant(doc: TenantDocument): Tenant & { poolKey: string } {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as Tenant & { poolKey: string };
}

export interface NewTenant {
  id: string;
  labId: string;
  kubernetesVersion: string;
  provisioningDeadline: Date;
}

/** A conditions write that lost this many races in a row gives up; the reconciler's next pass writes them. */
const conditionWriteAttempts = 3;

export class TenantStore {
  constructor(private readonly db: Persistence) {}

  /** A new tenant, provisioning until its deadline; its namespace and pool key follow from its id, lab and version. */
  async create(tenant: NewTenant, now: Date): Promise<TenantDocument> {
    const doc = {
      _id: tenant.id,
      labId: tenant.labId,
      kubernetesVersion: tenant.kubernetesVersion,
      poolKey: poolKey(tenant.labId, tenant.kubernetesVersion),
      namespace: tenantNamespace(tenant.id),
      state: 'provisioning' as const,
      step: 'requested',
      provisioningDeadline: tenant.provisioningDeadline,
      createdAt: now,
      conditions: [],
    };
    const created = await this.db.tenants.create(doc);
    return created.toObject() as TenantDocument;
  }

  /** Atomically takes the oldest ready tenant of a pool for a claim; null when none is ready. */
  async takeReadyTenant(pool: string, claimId: string, now: Date): Promise<TenantDocument | null> {
    return this.db.tenants
      .findOneAndUpdate(
        { poolKey: pool, state: 'ready' },
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

  /**
   * claimed (or any live state) → releasing, so the provisioner tears it down; a tenant is used once. The same write
   * records the `tenant.released` fact to announce (reason, claim): an outbox in the document, so a crash between this
   * write and the publish is finished by the claims repair. `onlyClaimedBy` makes it conditional on the tenant still
   * being held by that claim.
   */
  async markTenantReleasing(
    tenantId: string,
    now: Date,
    release: { reason: string; claimId?: string; onlyClaimedBy?: string },
  ): Promise<TenantDocument | null> {
    const filter: Record<string, unknown> = release.onlyClaimedBy
      ? { _id: tenantId, state: 'claimed', claimId: release.onlyClaimedBy }
      : { _id: tenantId, state: { $in: ['claimed', 'ready', 'failed', 'provisioning'] } };
    return this.db.tenants
      .findOneAndUpdate(
        filter,
        {
          $set: {
            state: 'releasing',
            releasedAt: now,
            releaseReason: release.reason,
            ...(release.claimId ? { releaseClaimId: release.claimId } : {}),
          },
        },
        { returnDocument: 'after', lean: true },
      )
      .exec() as Promise<TenantDocument | null>;
  }

  /** The enforcer applied the tenant's baseline policies (first time only). */
  async markIsolated(tenantId: string, now: Date): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne({ _id: tenantId, isolatedAt: { $exists: false } }, { $set: { isolatedAt: now } })
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * Records the tenant's exposure as the enforcer applied it; true only when it changed (that caller announces
   * `tenant.exposure.opened` or `.closed`). Conditional on the stored value, so two writers cannot both announce.
   */
  async recordExposure(tenantId: string, exposure: TenantExposure): Promise<boolean> {
    const current = await this.db.tenants.findById(tenantId, { exposure: 1 }).lean().exec();
    if (!current) return false;
    const before = current.exposure;
    const same =
      before?.state === exposure.state &&
      before.claimId === exposure.claimId &&
      before.host === exposure.host &&
      before.sshPort === exposure.sshPort &&
      before.apiPort === exposure.apiPort;
    if (same) return false;
    const result = await this.db.tenants
      .updateOne(
        { _id: tenantId, ...(before ? { 'exposure.changedAt': before.changedAt } : { exposure: { $exists: false } }) },
        { $set: { exposure } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** The outbox is drained: `tenant.released` is on the stream. */
  async markReleaseAnnounced(tenantId: string, now: Date): Promise<void> {
    await this.db.tenants
      .updateOne({ _id: tenantId, releaseAnnouncedAt: { $exists: false } }, { $set: { releaseAnnouncedAt: now } })
      .exec();
  }

  /** Records a provisioning step; true only for the write that changed it (that caller announces the step). */
  async recordStep(tenantId: string, step: string): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne({ _id: tenantId, state: 'provisioning', step: { $ne: step } }, { $set: { step } })
      .exec();
    return result.modifiedCount === 1;
  }

  /** provisioning → ready; true only for the write that made it ready. */
  async markReady(tenantId: string, now: Date): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne({ _id: tenantId, state: 'provisioning' }, { $set: { state: 'ready', readyAt: now } })
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * provisioning → failed with a stable reason code; true only for the write that failed it. With
   * `onlyPastDeadline`, only a tenant whose provisioning deadline is at or before that moment fails (the pool
   * manager's stuck-tenant sweep must not fail one the provisioner just gave more time).
   */
  async markFailed(tenantId: string, reason: string, options: { onlyPastDeadline?: Date } = {}): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne(
        {
          _id: tenantId,
          state: 'provisioning',
          ...(options.onlyPastDeadline ? { provisioningDeadline: { $lte: options.onlyPastDeadline } } : {}),
        },
        { $set: { state: 'failed', failureReason: reason } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** releasing → deleted once everything it owned is gone; true only for the write that deleted it. */
  async markDeleted(tenantId: string, now: Date): Promise<boolean> {
    const result = await this.db.tenants
      .updateOne(
        { _id: tenantId, state: 'releasing' },
        { $set: { state: 'deleted', deletedAt: now }, $unset: { claimId: 1 } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * Replaces the tenant's conditions with `conditions` (see mergeConditions: an unchanged status keeps its
   * lastTransitionTime). Nothing is written when nothing changed. The update is conditional on the conditions read,
   * so a concurrent writer is never overwritten with a stale merge; a lost race re-reads and merges again. Returns
   * whether it wrote; false too when the tenant does not exist.
   */
  async writeConditions(tenantId: string, conditions: readonly ConditionUpdate[], now: Date): Promise<boolean> {
    for (let attempt = 1; attempt <= conditionWriteAttempts; attempt++) {
      const current = await this.db.tenants.collection.findOne(
        { _id: tenantId as never },
        { projection: { conditions: 1 } },
      );
      if (!current) return false;
      const previous = (current.conditions ?? []) as Condition[];
      const merged = mergeConditions(previous, conditions, now);
      if (sameConditions(previous, merged)) return false;
      // The driver, not mongoose: the filter must compare the array exactly as stored, uncast.
      const result = await this.db.tenants.collection.updateOne(
        { _id: tenantId as never, conditions: current.conditions ?? { $exists: false } },
        { $set: { conditions: merged, updatedAt: now } },
      );
      if (result.modifiedCount === 1) return true;
    }
    throw new DomainError(
      'persistence.conflict',
      `tenant ${tenantId}: conditions changed under ${conditionWriteAttempts} writes in a row`,
      { tenantId },
    );
  }
}
