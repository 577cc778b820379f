// Pure: what the claims repair does to bring holds, idempotency records, claims and tenants back to a consistent state
// after a process died between two writes of the claim path. Each rule names the half-done state it finds:
// - a hold (a user's claim slot) whose claim does not exist past the grace period, or has ended → delete the hold;
// - an idempotency record whose claim does not exist past the grace period → delete it (the key may be retried);
//   one whose claim exists is confirmed, so it is never looked at again;
// - a tenant claimed by a claim that does not exist past the grace period, or that has ended → release the tenant
//   (it is torn down: a tenant is used once), announcing `tenant.released`;
// - a tenant released whose `tenant.released` was never announced (the outbox) → announce it;
// - an active claim whose tenant is gone or held by another claim → end it, so its user is not stuck.
// The grace period leaves requests in flight alone: the claim path writes its documents within milliseconds.
import type { ClaimState } from '@kubelabs/domain';

export interface ObservedHold {
  id: string;
  claimId: string;
  createdAt: Date;
}

export interface ObservedIdempotencyRecord {
  id: string;
  claimId: string;
  createdAt: Date;
}

export interface ObservedTenantRef {
  id: string;
  labId: string;
  kubernetesVersion: string;
}

export interface ObservedClaimedTenant extends ObservedTenantRef {
  claimId: string;
  claimedAt?: Date;
}

export interface ObservedUnannouncedRelease extends ObservedTenantRef {
  releaseReason: string;
  releaseClaimId?: string;
  releasedAt: Date;
}

export interface ObservedActiveClaim {
  id: string;
  tenantId: string;
  activatedAt?: Date;
  /** The tenant as it is now: missing, or its state and holder. */
  tenant: { state: string; claimId?: string } | null;
}

export interface ObservedClaimState {
  holds: ObservedHold[];
  idempotencyRecords: ObservedIdempotencyRecord[];
  claimedTenants: ObservedClaimedTenant[];
  unannouncedReleases: ObservedUnannouncedRelease[];
  activeClaims: ObservedActiveClaim[];
  /** State of every claim the documents above name; a claim id absent here does not exist. */
  claims: ReadonlyMap<string, ClaimState>;
}

export type ReleaseReason = 'user' | 'expired' | 'admin' | 'failed' | 'garbage' | 'deadline';

export type ClaimRepair =
  | { type: 'delete-hold'; holdId: string; claimId: string; why: 'claim-missing' | 'claim-ended' }
  | { type: 'delete-idempotency-record'; recordId: string; claimId: string }
  | { type: 'confirm-idempotency-records'; recordIds: string[] }
  | {
      type: 'release-tenant';
      tenant: ObservedTenantRef;
      claimId: string;
      reason: ReleaseReason;
      why: 'claim-missing' | 'claim-ended';
    }
  | { type: 'announce-release'; tenant: ObservedTenantRef; reason: ReleaseReason; claimId?: string; releasedAt: Date }
  | { type: 'end-claim'; claimId: string; why: 'tenant-missing' | 'tenant-taken' };

const endedStates = new Set<ClaimState>(['released', 'expired', 'cancelled']);
const releaseReasons = new Set<string>(['user', 'expired', 'admin', 'failed', 'garbage', 'deadline']);

export function planClaimRepairs(observed: ObservedClaimState, now: Date, graceMs: number): ClaimRepair[] {
  const settled = (at: Date | undefined) => at === undefined || now.getTime() - at.getTime() >= graceMs;
  const repairs: ClaimRepair[] = [];

  for (const hold of observed.holds) {
    const state = observed.claims.get(hold.claimId);
    if (state !== undefined && endedStates.has(state))
      repairs.push({ type: 'delete-hold', holdId: hold.id, claimId: hold.claimId, why: 'claim-ended' });
    else if (state === undefined && settled(hold.createdAt))
      repairs.push({ type: 'delete-hold', holdId: hold.id, claimId: hold.claimId, why: 'claim-missing' });
  }

  const confirmed: string[] = [];
  for (const record of observed.idempotencyRecords) {
    if (observed.claims.has(record.claimId)) confirmed.push(record.id);
    else if (settled(record.createdAt))
      repairs.push({ type: 'delete-idempotency-record', recordId: record.id, claimId: record.claimId });
  }
  if (confirmed.length > 0) repairs.push({ type: 'confirm-idempotency-records', recordIds: confirmed });

  for (const tenant of observed.claimedTenants) {
    const state = observed.claims.get(tenant.claimId);
    const ref = { id: tenant.id, labId: tenant.labId, kubernetesVersion: tenant.kubernetesVersion };
    if (state !== undefined && endedStates.has(state))
      repairs.push({
        type: 'release-tenant',
        tenant: ref,
        claimId: tenant.claimId,
        reason: state === 'expired' ? 'expired' : 'user',
        why: 'claim-ended',
      });
    else if (state === undefined && settled(tenant.claimedAt))
      repairs.push({
        type: 'release-tenant',
        tenant: ref,
        claimId: tenant.claimId,
        reason: 'garbage',
        why: 'claim-missing',
      });
  }

  for (const release of observed.unannouncedReleases) {
    if (!settled(release.releasedAt)) continue;
    repairs.push({
      type: 'announce-release',
      tenant: { id: release.id, labId: release.labId, kubernetesVersion: release.kubernetesVersion },
      reason: releaseReasons.has(release.releaseReason) ? (release.releaseReason as ReleaseReason) : 'garbage',
      ...(release.releaseClaimId ? { claimId: release.releaseClaimId } : {}),
      releasedAt: release.releasedAt,
    });
  }

  for (const claim of observed.activeClaims) {
    if (!settled(claim.activatedAt)) continue;
    if (claim.tenant === null || ['releasing', 'deleted', 'failed'].includes(claim.tenant.state))
      repairs.push({ type: 'end-claim', claimId: claim.id, why: 'tenant-missing' });
    else if (claim.tenant.claimId !== claim.id && claim.tenant.state === 'claimed')
      repairs.push({ type: 'end-claim', claimId: claim.id, why: 'tenant-taken' });
  }
  return repairs;
}
