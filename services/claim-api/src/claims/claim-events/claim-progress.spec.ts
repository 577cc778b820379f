// The progress stream's decisions, without I/O: when to send the claim's state, when to end, what to pass through.
import { describe, expect, it } from 'vitest';
import type { ClaimState } from '@kubelabs/domain';
import { forwardsEvent, planProgress, stateEventName } from './claim-progress';

describe('planProgress', () => {
  it.each<{ name: string; last: ClaimState | undefined; current: ClaimState; sendState: boolean; end: boolean }>([
    { name: 'sends the first state', last: undefined, current: 'pending', sendState: true, end: false },
    { name: 'sends a change of state', last: 'pending', current: 'active', sendState: true, end: false },
    {
      name: 'sends nothing when the state is unchanged',
      last: 'active',
      current: 'active',
      sendState: false,
      end: false,
    },
    { name: 'sends released and ends', last: 'active', current: 'released', sendState: true, end: true },
    { name: 'sends expired and ends', last: 'active', current: 'expired', sendState: true, end: true },
    { name: 'sends cancelled and ends', last: 'pending', current: 'cancelled', sendState: true, end: true },
    {
      name: 'sends a claim ended before connecting and ends',
      last: undefined,
      current: 'expired',
      sendState: true,
      end: true,
    },
    {
      name: 'goes from pending straight to released',
      last: 'pending',
      current: 'released',
      sendState: true,
      end: true,
    },
  ])('$name', ({ last, current, sendState, end }) => {
    expect(planProgress(last, current)).toEqual({ sendState, end });
  });

  it('names each state claim.<state>', () => {
    expect((['pending', 'active', 'released', 'expired', 'cancelled'] as const).map(stateEventName)).toEqual([
      'claim.pending',
      'claim.active',
      'claim.released',
      'claim.expired',
      'claim.cancelled',
    ]);
  });
});

describe('forwardsEvent', () => {
  it.each([
    ['tenant.provisioning', true],
    ['tenant.claimed', true],
    ['tenant.expiring', true],
    ['claim.extended', true],
    ['tenant.released', true],
    ['claim.cancelled', false],
  ])('%s passes through: %s', (type, forwarded) => {
    expect(forwardsEvent({ id: 'x', type, data: {} })).toBe(forwarded);
  });
});
