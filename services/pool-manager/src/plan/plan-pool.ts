// The pool manager's decisions for one pool (lab@version) as data: given what the pool should hold and what it holds
// now, the actions that bring them together. Pure and deterministic; the shell observes, calls this, applies.
import type { Claim, Tenant } from '@kubelabs/domain';
import type { ResourceAmount } from './compute-tenant-cost';
import type { PoolDemand } from './plan-capacity';

export interface PoolTargets {
  poolKey: string;
  minReady: number;
  maxTotal: number;
  /** False once the catalog stops offering this lab or version: no warm reserve, idle tenants retired. */
  offered: boolean;
  expiringNoticeMinutes: number;
}

export type ObservedTenant = Pick<
  Tenant,
  'id' | 'state' | 'claimId' | 'createdAt' | 'readyAt' | 'provisioningDeadline'
>;
export interface PendingClaim extends Pick<Claim, 'id' | 'requestedAt'> {
  /** Arrival order within the pool: pending claims are served strictly by it. */
  seq: number;
}
export interface ActiveClaim extends Pick<Claim, 'id' | 'expiresAt'> {
  tenantId: string;
  expiringNotifiedAt?: Date;
}

export interface ObservedPool {
  /** Tenants of this pool in any state; deleted ones are ignored. */
  tenants: readonly ObservedTenant[];
  pendingClaims: readonly PendingClaim[];
  activeClaims: readonly ActiveClaim[];
  /** New tenants the host has room for (planCapacity's `allowed`); Infinity when capacity is not planned. */
  provisionAllowance: number;
}

export type RetireReason = 'failed' | 'not-offered' | 'over-maximum';

export type PoolAction =
  | { type: 'fail-stuck'; tenantId: string }
  | { type: 'expire'; claimId: string; tenantId: string }
  | { type: 'notify-expiring'; claimId: string; tenantId: string; expiresAt: Date }
  | { type: 'assign'; tenantId: string; claimId: string }
  | { type: 'provision'; count: number }
  | { type: 'retire'; tenantId: string; reason: RetireReason };

/**
 * Actions come in this order, each group sorted so that the same input always gives the same list:
 * 1. fail-stuck (by provisioningDeadline, id): tenants past their deadline stop counting as provisioning;
 * 2. expire (by expiresAt, claim id), then notify-expiring (same order): claims whose time is up or nearly up;
 * 3. assign: first to finish half-applied assignments (a tenant carrying a pending claim's id, by seq; then an active
 *    claim pointing at a still-ready tenant, by claim id), then the oldest idle ready tenant (readyAt, id) to the
 *    oldest pending claim (seq, id), pairwise;
 * 4. provision: at most one, with a positive count;
 * 5. retire: failed tenants (createdAt, id), then idle ready tenants oldest first (readyAt, id).
 */
export function planPool(targets: PoolTargets, observed: ObservedPool, now: Date): PoolAction[] {
  const pool = sortPool(observed, now);
  const actions: PoolAction[] = [];

  for (const t of pool.stuck) actions.push({ type: 'fail-stuck', tenantId: t.id });
  actions.push(...planClaimExpiry(observed.activeClaims, targets.expiringNoticeMinutes, now));
  for (const [tenant, claim] of pool.resumed) actions.push({ type: 'assign', tenantId: tenant.id, claimId: claim.id });
  for (const [tenant, claim] of pool.pairs) actions.push({ type: 'assign', tenantId: tenant.id, claimId: claim.id });

  const count = Math.min(planProvisionNeed(targets, pool), Math.max(0, observed.provisionAllowance));
  if (count > 0) actions.push({ type: 'provision', count });

  for (const t of pool.failed) actions.push({ type: 'retire', tenantId: t.id, reason: 'failed' });
  // Releasing tenants still count against maxTotal for provisioning but are already on their way out.
  const surplus = targets.offered ? Math.max(0, pool.live - pool.releasing - targets.maxTotal) : pool.idleLeft.length;
  const reason: RetireReason = targets.offered ? 'over-maximum' : 'not-offered';
  for (const t of pool.idleLeft.slice(0, surplus)) actions.push({ type: 'retire', tenantId: t.id, reason });
  return actions;
}

/** What this pool asks of the host's capacity this round, for planCapacity. */
export function planPoolDemand(
  targets: PoolTargets,
  observed: ObservedPool,
  tenantCost: ResourceAmount,
  now: Date,
): PoolDemand {
  const pool = sortPool(observed, now);
  const wanted = planProvisionNeed(targets, pool);
  const uncovered = Math.max(0, pool.waiting.length - pool.idleLeft.length - pool.provisioning);
  const forClaims = Math.min(wanted, uncovered);
  return {
    poolKey: targets.poolKey,
    tenantCost,
    forClaims,
    forReserve: wanted - forClaims,
    waitingClaims: pool.waiting.length,
    oldestWaitingAt: pool.waiting[0]?.requestedAt,
    minReady: targets.offered ? targets.minReady : 0,
  };
}

type Claimant = Pick<PendingClaim, 'id'>;

interface SortedPool {
  stuck: ObservedTenant[];
  failed: ObservedTenant[];
  /** Provisioning tenants still within their deadline. */
  provisioning: number;
  /** Tenants that count against maxTotal: provisioning (not stuck), ready, claimed, releasing. */
  live: number;
  releasing: number;
  resumed: [ObservedTenant, Claimant][];
  pairs: [ObservedTenant, PendingClaim][];
  /** Pending claims and idle ready tenants left over once this round's assignments are made, oldest first. */
  waiting: PendingClaim[];
  idleLeft: ObservedTenant[];
}

/**
 * Ready plus provisioning tenants must cover the pending claims plus the warm reserve (none once the pool is no
 * longer offered; accepted claims are still served), without passing maxTotal.
 */
function planProvisionNeed(targets: PoolTargets, pool: SortedPool): number {
  const reserve = targets.offered ? targets.minReady : 0;
  const need = pool.waiting.length + reserve - pool.idleLeft.length - pool.provisioning;
  return Math.max(0, Math.min(need, targets.maxTotal - pool.live));
}

function sortPool(observed: ObservedPool, now: Date): SortedPool {
  const tenants = observed.tenants.filter((t) => t.state !== 'deleted');
  const isStuck = (t: ObservedTenant) => t.state === 'provisioning' && now >= t.provisioningDeadline;
  const stuck = tenants
    .filter(isStuck)
    .toSorted((a, b) => by(a.provisioningDeadline, b.provisioningDeadline, a.id, b.id));
  const failed = tenants
    .filter((t) => t.state === 'failed')
    .toSorted((a, b) => by(a.createdAt, b.createdAt, a.id, b.id));
  const live = tenants.filter((t) => t.state !== 'failed' && !isStuck(t));

  const pending = observed.pendingClaims.toSorted((a, b) => a.seq - b.seq || compareIds(a.id, b.id));
  // A crash between the two writes of an assignment leaves one side done: finish it rather than assign anew.
  const holder = new Map(live.filter((t) => t.claimId !== undefined).map((t) => [t.claimId, t]));
  const heldBy = new Map(observed.activeClaims.map((c) => [c.tenantId, c]));
  const resumed = [
    ...pending.flatMap((c): [ObservedTenant, Claimant][] => (holder.has(c.id) ? [[holder.get(c.id)!, c]] : [])),
    ...live
      .filter((t) => t.state === 'ready' && t.claimId === undefined && heldBy.has(t.id))
      .map((t): [ObservedTenant, Claimant] => [t, heldBy.get(t.id)!])
      .toSorted(([, a], [, b]) => compareIds(a.id, b.id)),
  ];
  const unserved = pending.filter((c) => !holder.has(c.id));
  const idle = live
    .filter((t) => t.state === 'ready' && t.claimId === undefined && !heldBy.has(t.id))
    .toSorted((a, b) => by(a.readyAt ?? a.createdAt, b.readyAt ?? b.createdAt, a.id, b.id));
  const paired = Math.min(idle.length, unserved.length);

  return {
    stuck,
    failed,
    provisioning: live.filter((t) => t.state === 'provisioning').length,
    live: live.length,
    releasing: live.filter((t) => t.state === 'releasing').length,
    resumed,
    pairs: unserved.slice(0, paired).map((c, i): [ObservedTenant, PendingClaim] => [idle[i]!, c]),
    waiting: unserved.slice(paired),
    idleLeft: idle.slice(paired),
  };
}

function planClaimExpiry(claims: readonly ActiveClaim[], noticeMinutes: number, now: Date): PoolAction[] {
  const timed = claims
    .filter((c): c is ActiveClaim & { expiresAt: Date } => c.expiresAt !== undefined)
    .toSorted((a, b) => by(a.expiresAt, b.expiresAt, a.id, b.id));
  const noticeMs = noticeMinutes * 60_000;
  const expired = timed.filter((c) => now >= c.expiresAt);
  const expiring = timed.filter(
    (c) => now < c.expiresAt && now.getTime() >= c.expiresAt.getTime() - noticeMs && !c.expiringNotifiedAt,
  );
  return [
    ...expired.map((c): PoolAction => ({ type: 'expire', claimId: c.id, tenantId: c.tenantId })),
    ...expiring.map((c): PoolAction => ({
      type: 'notify-expiring',
      claimId: c.id,
      tenantId: c.tenantId,
      expiresAt: c.expiresAt,
    })),
  ];
}

function by(a: Date, b: Date, aId: string, bId: string): number {
  return a.getTime() - b.getTime() || compareIds(aId, bId);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
