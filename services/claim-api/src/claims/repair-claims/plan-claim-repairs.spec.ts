import { describe, expect, it } from 'vitest';
import type { ClaimState } from '@kubelabs/domain';
import { planClaimRepairs, type ObservedClaimState } from './plan-claim-repairs';

const now = new Date('2026-12-07T12:00:00Z');
const grace = 30_000;
const old = new Date(now.getTime() - grace);
const fresh = new Date(now.getTime() - grace + 1);
const ref = { labId: 'lab', kubernetesVersion: '1.36' };

function observed(
  overrides: Partial<ObservedClaimState> & { claimStates?: Record<string, ClaimState> },
): ObservedClaimState {
  const { claimStates = {}, ...rest } = overrides;
  return {
    holds: [],
    idempotencyRecords: [],
    claimedTenants: [],
    unannouncedReleases: [],
    activeClaims: [],
    claims: new Map(Object.entries(claimStates)),
    ...rest,
  };
}

describe('planClaimRepairs', () => {
  it.each([
    { name: 'a consistent state needs nothing', state: observed({}), repairs: [] },
    {
      name: 'a hold whose claim was never written is released after the grace period',
      state: observed({ holds: [{ id: 'ada#0', claimId: 'c-1', createdAt: old }] }),
      repairs: [{ type: 'delete-hold', holdId: 'ada#0', claimId: 'c-1', why: 'claim-missing' }],
    },
    {
      name: 'a hold of a request still in flight is left alone',
      state: observed({ holds: [{ id: 'ada#0', claimId: 'c-1', createdAt: fresh }] }),
      repairs: [],
    },
    {
      name: 'a hold of an ended claim is released at once',
      state: observed({
        holds: [{ id: 'ada#0', claimId: 'c-1', createdAt: fresh }],
        claimStates: { 'c-1': 'released' },
      }),
      repairs: [{ type: 'delete-hold', holdId: 'ada#0', claimId: 'c-1', why: 'claim-ended' }],
    },
    {
      name: 'a hold of a live claim stays',
      state: observed({ holds: [{ id: 'ada#0', claimId: 'c-1', createdAt: old }], claimStates: { 'c-1': 'pending' } }),
      repairs: [],
    },
    {
      name: 'an idempotency record without its claim is removed; one with its claim is confirmed',
      state: observed({
        idempotencyRecords: [
          { id: 'k:a', claimId: 'c-1', createdAt: old },
          { id: 'k:b', claimId: 'c-2', createdAt: old },
          { id: 'k:c', claimId: 'c-3', createdAt: fresh },
        ],
        claimStates: { 'c-2': 'active' },
      }),
      repairs: [
        { type: 'delete-idempotency-record', recordId: 'k:a', claimId: 'c-1' },
        { type: 'confirm-idempotency-records', recordIds: ['k:b'] },
      ],
    },
    {
      name: 'a tenant held by a released claim is released (reason user), by an expired one (reason expired)',
      state: observed({
        claimedTenants: [
          { id: 't-1', ...ref, claimId: 'c-1', claimedAt: fresh },
          { id: 't-2', ...ref, claimId: 'c-2', claimedAt: fresh },
        ],
        claimStates: { 'c-1': 'released', 'c-2': 'expired' },
      }),
      repairs: [
        { type: 'release-tenant', tenant: { id: 't-1', ...ref }, claimId: 'c-1', reason: 'user', why: 'claim-ended' },
        {
          type: 'release-tenant',
          tenant: { id: 't-2', ...ref },
          claimId: 'c-2',
          reason: 'expired',
          why: 'claim-ended',
        },
      ],
    },
    {
      name: 'a tenant taken for a claim that was never written is released after the grace period',
      state: observed({
        claimedTenants: [
          { id: 't-1', ...ref, claimId: 'c-1', claimedAt: old },
          { id: 't-2', ...ref, claimId: 'c-2', claimedAt: fresh },
        ],
      }),
      repairs: [
        {
          type: 'release-tenant',
          tenant: { id: 't-1', ...ref },
          claimId: 'c-1',
          reason: 'garbage',
          why: 'claim-missing',
        },
      ],
    },
    {
      name: 'a tenant held by a live claim stays',
      state: observed({
        claimedTenants: [{ id: 't-1', ...ref, claimId: 'c-1', claimedAt: old }],
        claimStates: { 'c-1': 'active' },
      }),
      repairs: [],
    },
    {
      name: 'a release never announced is announced',
      state: observed({
        unannouncedReleases: [{ id: 't-1', ...ref, releaseReason: 'user', releaseClaimId: 'c-1', releasedAt: old }],
      }),
      repairs: [
        { type: 'announce-release', tenant: { id: 't-1', ...ref }, reason: 'user', claimId: 'c-1', releasedAt: old },
      ],
    },
    {
      name: 'an active claim whose tenant is gone, or held by another claim, is ended',
      state: observed({
        activeClaims: [
          { id: 'c-1', tenantId: 't-1', activatedAt: old, tenant: null },
          { id: 'c-2', tenantId: 't-2', activatedAt: old, tenant: { state: 'claimed', claimId: 'c-9' } },
          { id: 'c-3', tenantId: 't-3', activatedAt: old, tenant: { state: 'claimed', claimId: 'c-3' } },
          { id: 'c-4', tenantId: 't-4', activatedAt: old, tenant: { state: 'ready' } },
          { id: 'c-5', tenantId: 't-5', activatedAt: old, tenant: { state: 'deleted' } },
        ],
      }),
      repairs: [
        { type: 'end-claim', claimId: 'c-1', why: 'tenant-missing' },
        { type: 'end-claim', claimId: 'c-2', why: 'tenant-taken' },
        { type: 'end-claim', claimId: 'c-5', why: 'tenant-missing' },
      ],
    },
  ])('$name', ({ state, repairs }) => {
    expect(planClaimRepairs(state, now, grace)).toEqual(repairs);
  });
});
