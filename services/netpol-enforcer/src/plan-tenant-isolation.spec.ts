import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelabs/kube';
import { containsDesired, planTenantIsolation, type ObservedIsolation } from './plan-tenant-isolation';

const policy = (name: string, spec: Record<string, unknown> = { podSelector: {} }): KubeObject =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec }) as KubeObject;
const desired = {
  baseline: [policy('deny'), policy('dns', { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] })],
  quota: [
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '6' } } } as KubeObject,
  ],
  exposure: [policy('students')],
};
const isolatedAt = new Date('2026-12-07T10:00:00Z');

function observed(overrides: Partial<ObservedIsolation['tenant']>, existing?: Partial<ObservedIsolation['existing']>) {
  return {
    tenant: { id: 't-1', namespace: 'kubelabs-t-1', state: 'ready' as const, ...overrides },
    namespaceExists: true,
    existing: { baseline: [], quota: [], exposure: [], ...existing },
  } satisfies ObservedIsolation;
}

describe('planTenantIsolation', () => {
  it.each([
    {
      name: 'a new tenant gets baseline and quota, no exposure, and is marked isolated; nothing is drift yet',
      state: observed({ state: 'provisioning' }),
      sets: { baseline: 2, quota: 1, exposure: 0 },
      drifted: [],
      markIsolated: true,
      exposure: 'unchanged',
    },
    {
      name: 'a claimed tenant also gets its exposure, to be opened',
      state: observed(
        { state: 'claimed', claimId: 'c-1', isolatedAt },
        { baseline: desired.baseline, quota: desired.quota },
      ),
      sets: { baseline: 2, quota: 1, exposure: 1 },
      drifted: [],
      markIsolated: false,
      exposure: 'open',
    },
    {
      name: 'a policy deleted by hand from an isolated tenant is drift',
      state: observed({ isolatedAt }, { baseline: [desired.baseline[1]!], quota: desired.quota }),
      sets: { baseline: 2, quota: 1, exposure: 0 },
      drifted: ['NetworkPolicy/deny'],
      markIsolated: false,
      exposure: 'unchanged',
    },
    {
      name: 'a policy edited by hand is drift; server defaults are not',
      state: observed(
        { isolatedAt },
        {
          baseline: [
            { ...policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }) },
            policy('dns', { podSelector: {}, egress: [{ ports: [{ port: 5353 }] }] }),
          ],
          quota: desired.quota,
        },
      ),
      sets: { baseline: 2, quota: 1, exposure: 0 },
      drifted: ['NetworkPolicy/dns'],
      markIsolated: false,
      exposure: 'unchanged',
    },
    {
      name: 'a deleted exposure of a claimed tenant whose exposure was open is drift',
      state: observed(
        {
          state: 'claimed',
          claimId: 'c-1',
          isolatedAt,
          exposure: { state: 'open', claimId: 'c-1', changedAt: isolatedAt },
        },
        { baseline: desired.baseline, quota: desired.quota },
      ),
      sets: { baseline: 2, quota: 1, exposure: 1 },
      drifted: ['NetworkPolicy/students'],
      markIsolated: false,
      exposure: 'open',
    },
    {
      name: 'a released tenant has its exposure closed (pruned) and nothing else applied',
      state: observed({
        state: 'releasing',
        isolatedAt,
        exposure: { state: 'open', claimId: 'c-1', changedAt: isolatedAt },
      }),
      sets: { exposure: 0 },
      drifted: [],
      markIsolated: false,
      exposure: 'closed',
    },
  ])('$name', ({ state, sets, drifted, markIsolated, exposure }) => {
    const plan = planTenantIsolation(state, desired);
    expect(Object.fromEntries(plan.apply.map((a) => [a.set, a.desired.length]))).toEqual(sets);
    expect(plan.drifted).toEqual(drifted);
    expect(plan.markIsolated).toBe(markIsolated);
    expect(plan.exposure).toBe(exposure);
  });

  it('writes nothing for a tenant that is as it should be, and deletes what a set no longer wants', () => {
    const stray = policy('stray');
    const plan = planTenantIsolation(
      observed({ isolatedAt }, { baseline: [...desired.baseline, stray], quota: desired.quota }),
      desired,
    );
    expect(plan.apply.map((a) => [a.set, a.toApply.length, a.toPrune.map((o) => o.metadata.name)])).toEqual([
      ['baseline', 0, ['stray']],
      ['quota', 0, []],
      ['exposure', 0, []],
    ]);
  });

  it('records the closing of a released tenant whose namespace is already going', () => {
    const plan = planTenantIsolation(
      {
        ...observed({ state: 'releasing', exposure: { state: 'open', claimId: 'c-1', changedAt: isolatedAt } }),
        namespaceExists: false,
      },
      desired,
    );
    expect(plan).toMatchObject({ apply: [], drifted: [], markIsolated: false, exposure: 'closed' });
  });

  it('applies nothing while the namespace does not exist', () => {
    const plan = planTenantIsolation({ ...observed({}), namespaceExists: false }, desired);
    expect(plan).toEqual({ apply: [], drifted: [], markIsolated: false, exposure: 'unchanged' });
  });
});

describe('containsDesired', () => {
  it.each([
    { name: 'equal scalars', actual: 1, desired: 1, result: true },
    { name: 'a default added by the server', actual: { a: 1, b: 2 }, desired: { a: 1 }, result: true },
    { name: 'a changed value', actual: { a: 2 }, desired: { a: 1 }, result: false },
    { name: 'a missing field', actual: {}, desired: { a: 1 }, result: false },
    { name: 'arrays element by element', actual: [{ a: 1, x: 0 }], desired: [{ a: 1 }], result: true },
    { name: 'an array of another length', actual: [{ a: 1 }, { a: 2 }], desired: [{ a: 1 }], result: false },
    { name: 'an object where an array was wanted', actual: { 0: 1 }, desired: [1], result: false },
  ])('$name', ({ actual, desired: wanted, result }) => {
    expect(containsDesired(actual, wanted)).toBe(result);
  });
});
