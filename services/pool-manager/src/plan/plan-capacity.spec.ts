import { describe, expect, it } from 'vitest';
import { planCapacity, type PoolDemand } from './plan-capacity';

const small = { memoryMiB: 1000, cpuMillis: 1000 };
const big = { memoryMiB: 4000, cpuMillis: 1000 };
const none = { memoryMiB: 0, cpuMillis: 0 };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute));

function demand(poolKey: string, fields: Partial<PoolDemand>): PoolDemand {
  return { poolKey, tenantCost: small, forClaims: 0, forReserve: 0, waitingClaims: 0, minReady: 0, ...fields };
}

describe('planCapacity', () => {
  it.each([
    {
      name: 'ample capacity allows everything and reports no shortfall',
      free: { memoryMiB: 10_000, cpuMillis: 10_000 },
      demands: [demand('a@1', { forReserve: 2, minReady: 2 }), demand('b@1', { forClaims: 1, waitingClaims: 1 })],
      allowed: { 'a@1': 2, 'b@1': 1 },
    },
    {
      name: 'pools with waiting claims are filled first',
      free: { memoryMiB: 2000, cpuMillis: 10_000 },
      demands: [
        demand('a@1', { forReserve: 3, minReady: 3 }),
        demand('b@1', { forClaims: 2, waitingClaims: 2, oldestWaitingAt: at(5) }),
      ],
      allowed: { 'a@1': 0, 'b@1': 2 },
    },
    {
      name: 'the pool with most waiting claims comes before one with an older claim',
      free: { memoryMiB: 2000, cpuMillis: 10_000 },
      demands: [
        demand('a@1', { forClaims: 1, waitingClaims: 1, oldestWaitingAt: at(1) }),
        demand('b@1', { forClaims: 2, waitingClaims: 3, oldestWaitingAt: at(9) }),
      ],
      allowed: { 'a@1': 0, 'b@1': 2 },
    },
    {
      name: 'equal waiting claims: the oldest waiting claim first, then the pool key',
      free: { memoryMiB: 2000, cpuMillis: 10_000 },
      demands: [
        demand('c@1', { forClaims: 1, waitingClaims: 1, oldestWaitingAt: at(3) }),
        demand('b@1', { forClaims: 1, waitingClaims: 1, oldestWaitingAt: at(2) }),
        demand('a@1', { forClaims: 1, waitingClaims: 1, oldestWaitingAt: at(2) }),
      ],
      allowed: { 'a@1': 1, 'b@1': 1, 'c@1': 0 },
    },
    {
      name: 'a smaller lab never overtakes a waiting claim that does not fit yet',
      free: { memoryMiB: 3000, cpuMillis: 10_000 },
      demands: [
        demand('big@1', { tenantCost: big, forClaims: 1, waitingClaims: 2, oldestWaitingAt: at(1) }),
        demand('small@1', { forClaims: 1, waitingClaims: 1, oldestWaitingAt: at(0) }),
        demand('warm@1', { forReserve: 1, minReady: 1 }),
      ],
      allowed: { 'big@1': 0, 'small@1': 0, 'warm@1': 0 },
    },
    {
      name: 'reserves are refilled evenly by deficit ratio, ties by pool key',
      free: { memoryMiB: 3000, cpuMillis: 10_000 },
      demands: [demand('b@1', { forReserve: 2, minReady: 2 }), demand('a@1', { forReserve: 4, minReady: 4 })],
      allowed: { 'a@1': 2, 'b@1': 1 },
    },
    {
      name: 'a reserve that does not fit is skipped for smaller ones',
      free: { memoryMiB: 3000, cpuMillis: 10_000 },
      demands: [
        demand('big@1', { tenantCost: big, forReserve: 1, minReady: 1 }),
        demand('small@1', { forReserve: 2, minReady: 4 }),
      ],
      allowed: { 'big@1': 0, 'small@1': 2 },
    },
    {
      name: 'CPU limits as well as memory',
      free: { memoryMiB: 100_000, cpuMillis: 2500 },
      demands: [demand('a@1', { forReserve: 5, minReady: 5 })],
      allowed: { 'a@1': 2 },
    },
    {
      name: 'an overcommitted host allows nothing',
      free: { memoryMiB: -500, cpuMillis: 10_000 },
      demands: [demand('a@1', { forClaims: 1, waitingClaims: 1, tenantCost: none })],
      allowed: { 'a@1': 0 },
    },
  ])('$name', ({ free, demands, allowed }) => {
    const used = { memoryMiB: 1000, cpuMillis: 500 };
    const allocatable = { memoryMiB: free.memoryMiB + used.memoryMiB, cpuMillis: free.cpuMillis + used.cpuMillis };
    const plan = planCapacity({ allocatable, used, demands });
    expect(Object.fromEntries(plan.pools.map((p) => [p.poolKey, p.allowed]))).toEqual(allowed);
    for (const pool of plan.pools) expect(pool.shortfall).toBe(pool.wanted - pool.allowed);
    expect(plan.shortfalls).toEqual(plan.pools.filter((p) => p.shortfall > 0));
  });

  it('lists shortfalls in priority order with what is left free', () => {
    const plan = planCapacity({
      allocatable: { memoryMiB: 2500, cpuMillis: 10_000 },
      used: none,
      demands: [
        demand('a@1', { forReserve: 2, minReady: 2 }),
        demand('b@1', { forClaims: 3, waitingClaims: 3, oldestWaitingAt: at(0) }),
      ],
    });
    expect(plan.shortfalls).toEqual([
      { poolKey: 'b@1', wanted: 3, allowed: 2, shortfall: 1, waitingClaims: 3 },
      { poolKey: 'a@1', wanted: 2, allowed: 0, shortfall: 2, waitingClaims: 0 },
    ]);
    expect(plan.free).toEqual({ memoryMiB: 500, cpuMillis: 8000 });
  });
});
