// I/O only: reads what the claims repair plans from. Every read is bounded: holds and claimed tenants exist only
// while claims are live; idempotency records are read until confirmed once (a batch per pass); unannounced releases
// are looked for within the last hour.
import type { ClaimState } from '@kubelabs/domain';
import type { Persistence } from '@kubelabs/persistence';
import type { ObservedClaimState } from './plan-claim-repairs';

const recordBatch = 1_000;
const releaseLookbackMs = 3_600_000;

export async function observeClaimState(db: Persistence, now: Date, graceMs: number): Promise<ObservedClaimState> {
  const [holds, records, claimedTenants, unannounced, activeClaims] = await Promise.all([
    db.claimHolds.find({}, { _id: 1, claimId: 1, createdAt: 1 }).lean().exec(),
    db.idempotencyRecords
      .find({ confirmedAt: { $exists: false } }, { _id: 1, claimId: 1, createdAt: 1 })
      .limit(recordBatch)
      .lean()
      .exec(),
    db.tenants
      .find({ state: 'claimed' }, { _id: 1, claimId: 1, claimedAt: 1, labId: 1, kubernetesVersion: 1 })
      .lean()
      .exec(),
    db.tenants
      .find(
        {
          releaseAnnouncedAt: { $exists: false },
          releaseReason: { $exists: true },
          releasedAt: { $gte: new Date(now.getTime() - releaseLookbackMs), $lte: new Date(now.getTime() - graceMs) },
        },
        { _id: 1, labId: 1, kubernetesVersion: 1, releaseReason: 1, releaseClaimId: 1, releasedAt: 1 },
      )
      .lean()
      .exec(),
    db.claims.find({ state: 'active' }, { _id: 1, tenantId: 1, activatedAt: 1 }).lean().exec(),
  ]);
  const tenantIds = activeClaims.flatMap((c) => (c.tenantId ? [c.tenantId] : []));
  const [tenants, claims] = await Promise.all([
    db.tenants
      .find({ _id: { $in: tenantIds } }, { _id: 1, state: 1, claimId: 1 })
      .lean()
      .exec(),
    db.claims
      .find(
        {
          _id: {
            $in: [
              ...new Set([
                ...holds.map((h) => h.claimId),
                ...records.map((r) => r.claimId),
                ...claimedTenants.flatMap((t) => (t.claimId ? [t.claimId] : [])),
              ]),
            ],
          },
        },
        { _id: 1, state: 1 },
      )
      .lean()
      .exec(),
  ]);
  const tenantById = new Map(tenants.map((t) => [t._id, t]));
  return {
    holds: holds.map((h) => ({ id: h._id, claimId: h.claimId, createdAt: h.createdAt })),
    idempotencyRecords: records.map((r) => ({ id: r._id, claimId: r.claimId, createdAt: r.createdAt })),
    claimedTenants: claimedTenants.flatMap((t) =>
      t.claimId
        ? [
            {
              id: t._id,
              labId: t.labId,
              kubernetesVersion: t.kubernetesVersion,
              claimId: t.claimId,
              ...(t.claimedAt ? { claimedAt: t.claimedAt } : {}),
            },
          ]
        : [],
    ),
    unannouncedReleases: unannounced.flatMap((t) =>
      t.releaseReason && t.releasedAt
        ? [
            {
              id: t._id,
              labId: t.labId,
              kubernetesVersion: t.kubernetesVersion,
              releaseReason: t.releaseReason,
              ...(t.releaseClaimId ? { releaseClaimId: t.releaseClaimId } : {}),
              releasedAt: t.releasedAt,
            },
          ]
        : [],
    ),
    activeClaims: activeClaims.flatMap((c) =>
      c.tenantId
        ? [
            {
              id: c._id,
              tenantId: c.tenantId,
              ...(c.activatedAt ? { activatedAt: c.activatedAt } : {}),
              tenant: (() => {
                const t = tenantById.get(c.tenantId);
                return t ? { state: t.state, ...(t.claimId ? { claimId: t.claimId } : {}) } : null;
              })(),
            },
          ]
        : [],
    ),
    claims: new Map(claims.map((c) => [c._id, c.state as ClaimState])),
  };
}
