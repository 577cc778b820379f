import { describe, expect, it } from 'vitest';
import type { TenantState } from '@kubelabs/domain';
import { planCapacity } from './plan-capacity';
import {
  planPool,
  planPoolDemand,
  type ActiveClaim,
  type ObservedPool,
  type ObservedTenant,
  type PendingClaim,
  type PoolAction,
  type PoolTargets,
} from './plan-pool';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, 0) + minute * 60_000);
const now = at(60);
const targets: PoolTargets = {
  poolKey: 'cka@1.34',
  minReady: 2,
  maxTotal: 5,
  offered: true,
  expiringNoticeMinutes: 10,
};

function tenant(id: string, state: TenantState, fields: Partial<ObservedTenant> = {}): ObservedTenant {
  const readyAt = state === 'ready' ? at(10) : undefined;
  return { id, state, createdAt: at(0), provisioningDeadline: at(100), readyAt, ...fields };
}
const pending = (id: string, seq: number): PendingClaim => ({ id, seq, requestedAt: at(seq) });
const active = (id: string, tenantId: string, expiresAt: Date, notified?: Date): ActiveClaim => ({
  id,
  tenantId,
  expiresAt,
  expiringNotifiedAt: notified,
});
function pool(fields: Partial<ObservedPool>): ObservedPool {
  return { tenants: [], pendingClaims: [], activeClaims: [], provisionAllowance: Infinity, ...fields };
}
const ready = (...ids: string[]) => ids.map((id) => tenant(id, 'ready'));

describe('planPool', () => {
  it.each<{ name: string; targets?: Partial<PoolTargets>; observed: ObservedPool; expected: PoolAction[] }>([
    { name: 'empty pool fills to its minimum', observed: pool({}), expected: [{ type: 'provision', count: 2 }] },
    { name: 'a pool at minimum does nothing', observed: pool({ tenants: ready('r1', 'r2') }), expected: [] },
    {
      name: 'provisioning tenants count toward the minimum',
      observed: pool({ tenants: [...ready('r1'), tenant('p1', 'provisioning')] }),
      expected: [],
    },
    {
      name: 'pending claims raise provisioning above the minimum',
      observed: pool({ pendingClaims: [pending('k1', 1), pending('k2', 2)] }),
      expected: [{ type: 'provision', count: 4 }],
    },
    {
      name: 'pending claims never raise provisioning past maxTotal',
      observed: pool({ pendingClaims: [1, 2, 3, 4, 5].map((n) => pending(`k${n}`, n)) }),
      expected: [{ type: 'provision', count: 5 }],
    },
    {
      name: 'claimed and releasing tenants count against maxTotal',
      observed: pool({
        tenants: [
          ...['c1', 'c2', 'c3'].map((id) => tenant(id, 'claimed', { claimId: `k-${id}` })),
          tenant('x1', 'releasing'),
        ],
      }),
      expected: [{ type: 'provision', count: 1 }],
    },
    {
      name: 'ready tenants are assigned to pending claims oldest to oldest',
      observed: pool({
        tenants: [tenant('r-new', 'ready', { readyAt: at(20) }), tenant('r-old', 'ready', { readyAt: at(5) })],
        pendingClaims: [pending('k2', 2), pending('k1', 1)],
      }),
      expected: [
        { type: 'assign', tenantId: 'r-old', claimId: 'k1' },
        { type: 'assign', tenantId: 'r-new', claimId: 'k2' },
        { type: 'provision', count: 2 },
      ],
    },
    {
      name: 'more pending claims than ready tenants: only as many assignments as ready tenants',
      observed: pool({ tenants: ready('r1'), pendingClaims: [pending('k3', 3), pending('k1', 1), pending('k2', 2)] }),
      expected: [
        { type: 'assign', tenantId: 'r1', claimId: 'k1' },
        { type: 'provision', count: 4 },
      ],
    },
    {
      name: 'the capacity allowance limits provisioning',
      observed: pool({ provisionAllowance: 1 }),
      expected: [{ type: 'provision', count: 1 }],
    },
    { name: 'no allowance, no provisioning', observed: pool({ provisionAllowance: 0 }), expected: [] },
    {
      name: 'a claim inside its notice window is notified once',
      observed: pool({ tenants: ready('r1', 'r2'), activeClaims: [active('k1', 't1', at(70))] }),
      expected: [{ type: 'notify-expiring', claimId: 'k1', tenantId: 't1', expiresAt: at(70) }],
    },
    {
      name: 'an already notified claim is not notified again',
      observed: pool({ tenants: ready('r1', 'r2'), activeClaims: [active('k1', 't1', at(65), at(56))] }),
      expected: [],
    },
    {
      name: 'a claim before its notice window is left alone',
      observed: pool({ tenants: ready('r1', 'r2'), activeClaims: [active('k1', 't1', at(71))] }),
      expected: [],
    },
    {
      name: 'a claim expires at its deadline, without a late notice',
      observed: pool({ tenants: ready('r1', 'r2'), activeClaims: [active('k1', 't1', at(60))] }),
      expected: [{ type: 'expire', claimId: 'k1', tenantId: 't1' }],
    },
    {
      name: 'over maximum: the oldest idle tenant is retired first',
      targets: { maxTotal: 3 },
      observed: pool({
        tenants: [
          tenant('r1', 'ready', { readyAt: at(30) }),
          tenant('r2', 'ready', { readyAt: at(10) }),
          tenant('r3', 'ready', { readyAt: at(20) }),
          tenant('c1', 'claimed', { claimId: 'k1' }),
        ],
      }),
      expected: [{ type: 'retire', tenantId: 'r2', reason: 'over-maximum' }],
    },
    {
      name: 'over maximum: tenants already releasing are not retired again',
      targets: { maxTotal: 3 },
      observed: pool({ tenants: [...ready('r1', 'r2', 'r3'), tenant('x1', 'releasing')] }),
      expected: [],
    },
    {
      name: 'lab removed: every idle tenant is retired, oldest first, and nothing is provisioned',
      targets: { offered: false },
      observed: pool({
        tenants: [
          tenant('r1', 'ready', { readyAt: at(30) }),
          tenant('r2', 'ready', { readyAt: at(10) }),
          tenant('p1', 'provisioning'),
        ],
      }),
      expected: [
        { type: 'retire', tenantId: 'r2', reason: 'not-offered' },
        { type: 'retire', tenantId: 'r1', reason: 'not-offered' },
      ],
    },
    {
      name: 'lab removed: claims already accepted are still served',
      targets: { offered: false },
      observed: pool({ tenants: ready('r1'), pendingClaims: [pending('k1', 1), pending('k2', 2)] }),
      expected: [
        { type: 'assign', tenantId: 'r1', claimId: 'k1' },
        { type: 'provision', count: 1 },
      ],
    },
    {
      name: 'stuck provisioning past its deadline is failed and replaced',
      observed: pool({ tenants: [...ready('r1'), tenant('p1', 'provisioning', { provisioningDeadline: at(60) })] }),
      expected: [
        { type: 'fail-stuck', tenantId: 'p1' },
        { type: 'provision', count: 1 },
      ],
    },
    {
      name: 'failed tenants are retired and do not count',
      observed: pool({ tenants: [...ready('r1', 'r2'), tenant('f1', 'failed')] }),
      expected: [{ type: 'retire', tenantId: 'f1', reason: 'failed' }],
    },
    {
      name: 'deleted tenants are ignored',
      observed: pool({ tenants: [...ready('r1', 'r2'), tenant('d1', 'deleted')] }),
      expected: [],
    },
    {
      name: 'a half-applied assignment is finished, never given to another claim',
      observed: pool({
        tenants: [tenant('t1', 'claimed', { claimId: 'k1' }), ...ready('t2', 'r1', 'r2')],
        pendingClaims: [pending('k1', 1)],
        activeClaims: [active('k2', 't2', at(120))],
      }),
      expected: [
        { type: 'assign', tenantId: 't1', claimId: 'k1' },
        { type: 'assign', tenantId: 't2', claimId: 'k2' },
      ],
    },
    {
      name: 'actions come in the documented order',
      targets: { maxTotal: 6 },
      observed: pool({
        tenants: [
          tenant('f1', 'failed'),
          tenant('p1', 'provisioning', { provisioningDeadline: at(30) }),
          ...ready('r1'),
          tenant('c1', 'claimed', { claimId: 'a1' }),
          tenant('c2', 'claimed', { claimId: 'a2' }),
        ],
        pendingClaims: [pending('k1', 1)],
        activeClaims: [active('a2', 'c2', at(65)), active('a1', 'c1', at(59))],
      }),
      expected: [
        { type: 'fail-stuck', tenantId: 'p1' },
        { type: 'expire', claimId: 'a1', tenantId: 'c1' },
        { type: 'notify-expiring', claimId: 'a2', tenantId: 'c2', expiresAt: at(65) },
        { type: 'assign', tenantId: 'r1', claimId: 'k1' },
        { type: 'provision', count: 2 },
        { type: 'retire', tenantId: 'f1', reason: 'failed' },
      ],
    },
  ])('$name', ({ targets: overrides, observed, expected }) => {
    expect(planPool({ ...targets, ...overrides }, observed, now)).toEqual(expected);
  });
});

const targetsOf = (poolKey: string): PoolTargets => ({ ...targets, poolKey });

describe('planPool with planCapacity', () => {
  const cost = { memoryMiB: 4000, cpuMillis: 4000 };

  it('capacity short: provisioning is limited, pools with waiting claims first, and the shortfall reported', () => {
    const pools = {
      'a@1.34': pool({}),
      'b@1.34': pool({ tenants: ready('b-r1'), pendingClaims: [pending('bk1', 1), pending('bk2', 2)] }),
    };
    const demands = Object.entries(pools).map(([key, observed]) => planPoolDemand(targetsOf(key), observed, cost, now));
    expect(demands).toMatchObject([
      { poolKey: 'a@1.34', forClaims: 0, forReserve: 2, waitingClaims: 0 },
      { poolKey: 'b@1.34', forClaims: 1, forReserve: 2, waitingClaims: 1, oldestWaitingAt: at(2) },
    ]);

    const capacity = planCapacity({ allocatable: { memoryMiB: 12_000, cpuMillis: 64_000 }, used: cost, demands });
    expect(capacity.shortfalls).toEqual([
      { poolKey: 'b@1.34', wanted: 3, allowed: 1, shortfall: 2, waitingClaims: 1 },
      { poolKey: 'a@1.34', wanted: 2, allowed: 1, shortfall: 1, waitingClaims: 0 },
    ]);
    const allowance = (key: string) => capacity.pools.find((p) => p.poolKey === key)?.allowed ?? 0;
    const planned = Object.entries(pools).map(([key, observed]) =>
      planPool(targetsOf(key), { ...observed, provisionAllowance: allowance(key) }, now),
    );
    expect(planned).toEqual([
      [{ type: 'provision', count: 1 }],
      [
        { type: 'assign', tenantId: 'b-r1', claimId: 'bk1' },
        { type: 'provision', count: 1 },
      ],
    ]);
  });
});

/** What the apply step would leave behind, simplified to the fields planPool reads. */
function applyPlanToObserved(observed: ObservedPool, actions: PoolAction[], when: Date): ObservedPool {
  let tenants = [...observed.tenants];
  let pendingClaims = [...observed.pendingClaims];
  let activeClaims = [...observed.activeClaims];
  const setTenant = (id: string, fields: Partial<ObservedTenant>) =>
    (tenants = tenants.map((t) => (t.id === id ? { ...t, ...fields } : t)));
  for (const action of actions) {
    switch (action.type) {
      case 'fail-stuck':
        setTenant(action.tenantId, { state: 'failed' });
        break;
      case 'expire':
        activeClaims = activeClaims.filter((c) => c.id !== action.claimId);
        setTenant(action.tenantId, { state: 'releasing' });
        break;
      case 'notify-expiring':
        activeClaims = activeClaims.map((c) => (c.id === action.claimId ? { ...c, expiringNotifiedAt: when } : c));
        break;
      case 'assign':
        pendingClaims = pendingClaims.filter((c) => c.id !== action.claimId);
        activeClaims = [
          ...activeClaims.filter((c) => c.id !== action.claimId),
          { id: action.claimId, tenantId: action.tenantId, expiresAt: new Date(when.getTime() + 3_600_000) },
        ];
        setTenant(action.tenantId, { state: 'claimed', claimId: action.claimId });
        break;
      case 'provision':
        for (let i = 0; i < action.count; i++) {
          const deadline = new Date(when.getTime() + 600_000);
          tenants.push({
            id: `new-${tenants.length}`,
            state: 'provisioning',
            createdAt: when,
            provisioningDeadline: deadline,
          });
        }
        break;
      case 'retire':
        setTenant(action.tenantId, { state: 'releasing' });
        break;
    }
  }
  return { ...observed, tenants, pendingClaims, activeClaims };
}

describe('planPool idempotence', () => {
  it.each([
    { name: 'an empty pool', targets: {}, observed: pool({}) },
    {
      name: 'a busy pool with claims, expiries and a stuck tenant',
      targets: {},
      observed: pool({
        tenants: [
          ...ready('r1', 'r2'),
          tenant('p1', 'provisioning', { provisioningDeadline: at(30) }),
          tenant('f1', 'failed'),
        ],
        pendingClaims: [pending('k1', 1), pending('k2', 2), pending('k3', 3)],
        activeClaims: [active('a1', 'c1', at(59)), active('a2', 'c2', at(65))],
      }),
    },
    {
      name: 'a pool over its maximum',
      targets: { maxTotal: 2 },
      observed: pool({ tenants: ready('r1', 'r2', 'r3', 'r4'), pendingClaims: [pending('k1', 1)] }),
    },
    { name: 'a removed lab', targets: { offered: false }, observed: pool({ tenants: ready('r1', 'r2') }) },
  ])(
    'running the plan again on $name after its actions yields no further provision or assign',
    ({ targets: o, observed }) => {
      const t = { ...targets, ...o };
      const after = applyPlanToObserved(observed, planPool(t, observed, now), now);
      const again = planPool(t, after, now);
      expect(again.filter((a) => a.type === 'provision' || a.type === 'assign')).toEqual([]);
      expect(again.filter((a) => a.type !== 'retire')).toEqual([]);
    },
  );
});
