// Shares the host's free memory and CPU among pools that want new tenants, so that when it is short, waiting users
// are served first and every pool's warm reserve is refilled evenly. Pure: the shell sums costs and emits the events.
import type { ResourceAmount } from './compute-tenant-cost';

export interface PoolDemand {
  poolKey: string;
  tenantCost: ResourceAmount;
  /** New tenants wanted for pending claims that no ready or provisioning tenant covers. */
  forClaims: number;
  /** New tenants wanted to bring the warm reserve up to minReady. */
  forReserve: number;
  /** Pending claims left without a ready tenant this round, and the oldest one's arrival. */
  waitingClaims: number;
  oldestWaitingAt?: Date;
  minReady: number;
}

export interface CapacityInput {
  /** Sum of the host nodes' allocatable resources. */
  allocatable: ResourceAmount;
  /** Already committed: every tenant whose VMs may still exist (all but deleted), at computeTenantCost. */
  used: ResourceAmount;
  demands: readonly PoolDemand[];
}

export interface PoolAllowance {
  poolKey: string;
  wanted: number;
  allowed: number;
  shortfall: number;
  waitingClaims: number;
}

export interface CapacityPlan {
  /** One entry per demand, in priority order. */
  pools: PoolAllowance[];
  /** The pools with a shortfall, in priority order: for the metric and the `pool.capacity.short` event. */
  shortfalls: PoolAllowance[];
  /** What is left after the allowed tenants are built. */
  free: ResourceAmount;
}

/**
 * Claims first: pools ordered by most waiting claims, then oldest waiting claim, then pool key; each gets all it
 * needs for its claims, and the first one that does not fit stops every later grant (a newer or smaller claim never
 * overtakes a waiting one, and reserves never take what a waiting claim needs). Then reserves: one tenant at a time
 * to the pool with the largest remaining deficit ratio (deficit / minReady), ties by pool key, skipping pools whose
 * next tenant does not fit.
 */
export function planCapacity(input: CapacityInput): CapacityPlan {
  let free = subtract(input.allocatable, input.used);
  const allowed = new Map(input.demands.map((d) => [d.poolKey, 0]));
  const grant = (demand: PoolDemand): boolean => {
    if (!fits(demand.tenantCost, free)) return false;
    free = subtract(free, demand.tenantCost);
    allowed.set(demand.poolKey, (allowed.get(demand.poolKey) ?? 0) + 1);
    return true;
  };

  const claimOrder = input.demands.filter((d) => d.forClaims > 0).toSorted(byClaimPriority);
  let blocked = false;
  for (const demand of claimOrder) {
    for (let i = 0; i < demand.forClaims && !blocked; i++) blocked = !grant(demand);
    if (blocked) break;
  }

  if (!blocked) {
    const reserveLeft = new Map(input.demands.map((d) => [d.poolKey, d.forReserve]));
    const candidates = input.demands.filter((d) => d.forReserve > 0);
    for (;;) {
      const next = candidates
        .filter((d) => (reserveLeft.get(d.poolKey) ?? 0) > 0)
        .toSorted((a, b) => deficitRatio(b, reserveLeft) - deficitRatio(a, reserveLeft) || byKey(a, b))[0];
      if (!next) break;
      // A pool whose next tenant does not fit gets no more this round; the loop ends when every pool is done.
      reserveLeft.set(next.poolKey, grant(next) ? (reserveLeft.get(next.poolKey) ?? 0) - 1 : 0);
    }
  }

  const pools = input.demands.toSorted(byOverallPriority).map((d): PoolAllowance => {
    const wanted = d.forClaims + d.forReserve;
    const got = allowed.get(d.poolKey) ?? 0;
    return { poolKey: d.poolKey, wanted, allowed: got, shortfall: wanted - got, waitingClaims: d.waitingClaims };
  });
  return { pools, shortfalls: pools.filter((p) => p.shortfall > 0), free };
}

function byClaimPriority(a: PoolDemand, b: PoolDemand): number {
  return (
    b.waitingClaims - a.waitingClaims ||
    (a.oldestWaitingAt?.getTime() ?? Infinity) - (b.oldestWaitingAt?.getTime() ?? Infinity) ||
    byKey(a, b)
  );
}

function byOverallPriority(a: PoolDemand, b: PoolDemand): number {
  const aClaims = a.forClaims > 0 ? 0 : 1;
  const bClaims = b.forClaims > 0 ? 0 : 1;
  if (aClaims !== bClaims) return aClaims - bClaims;
  if (aClaims === 0) return byClaimPriority(a, b);
  return b.forReserve / Math.max(b.minReady, 1) - a.forReserve / Math.max(a.minReady, 1) || byKey(a, b);
}

function deficitRatio(demand: PoolDemand, reserveLeft: Map<string, number>): number {
  return (reserveLeft.get(demand.poolKey) ?? 0) / Math.max(demand.minReady, 1);
}

function byKey(a: PoolDemand, b: PoolDemand): number {
  return a.poolKey < b.poolKey ? -1 : a.poolKey > b.poolKey ? 1 : 0;
}

function fits(cost: ResourceAmount, free: ResourceAmount): boolean {
  return cost.memoryMiB <= free.memoryMiB && cost.cpuMillis <= free.cpuMillis;
}

function subtract(a: ResourceAmount, b: ResourceAmount): ResourceAmount {
  return { memoryMiB: a.memoryMiB - b.memoryMiB, cpuMillis: a.cpuMillis - b.cpuMillis };
}
