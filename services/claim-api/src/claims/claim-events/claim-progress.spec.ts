// The progress stream's decisions, without I/O: when to send the claim's state, when to end, what to pass through.
import { describe, expect, it } from 'vitest';
import type { ClaimState } from '@kubelabs/domain';
import { forwardsEvent, planProgress, progressMark, stateEventName } from './claim-progress';

describe('planProgress', () => {
  it.each<{ name: string; last: string | undefined; current: ClaimState; readView: boolean; end: boolean }>([
    { name: 'sends the first state', last: undefined, current: 'pending', readView: true, end: false },
    { name: 'sends a change of state', last: 'pending', current: 'active', readView: true, end: false },
    {
      name: 'sends nothing while a pending claim waits',
      last: 'pending',
      current: 'pending',
      readView: false,
      end: false,
    },
    {
      name: 'looks again while the access of an active claim is opening',
      last: 'active:opening',
      current: 'active',
      readView: true,
      end: false,
    },
    {
      name: 'sends nothing once the access is open',
      last: 'active:open',
      current: 'active',
      readView: false,
      end: false,
    },
    { name: 'sends released and ends', last: 'active:open', current: 'released', readView: true, end: true },
    { name: 'sends expired and ends', last: 'active:opening', current: 'expired', readView: true, end: true },
    { name: 'sends cancelled and ends', last: 'pending', current: 'cancelled', readView: true, end: true },
    {
      name: 'sends a claim ended before connecting and ends',
      last: undefined,
      current: 'expired',
      readView: true,
      end: true,
    },
    { name: 'goes from pending straight to released', last: 'pending', current: 'released', readView: true, end: true },
    {
      name: 'sends nothing more after a terminal state',
      last: 'released',
      current: 'released',
      readView: false,
      end: true,
    },
  ])('$name', ({ last, current, readView, end }) => {
    expect(planProgress(last, current)).toEqual({ readView, end });
  });

  it.each([
    { view: { state: 'pending' as const }, mark: 'pending' },
    { view: { state: 'active' as const, access: { state: 'opening' } }, mark: 'active:opening' },
    { view: { state: 'active' as const, access: { state: 'open' } }, mark: 'active:open' },
    { view: { state: 'released' as const }, mark: 'released' },
  ])('marks $view.state with access $view.access as $mark', ({ view, mark }) => {
    expect(progressMark(view)).toBe(mark);
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
