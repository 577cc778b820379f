import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter, planAttempt, planRefund, retryAfterSeconds } from './failed-auth-limiter';

const limit = { failures: 5, windowMs: 10_000 }; // one failure back every 2 s

/** Charges attempts at the given times, carrying the state as the limiter does; each answer as allowed or the wait. */
function attempts(times: number[], l = limit): (string | number)[] {
  let tat: number | undefined;
  return times.map((now) => {
    const attempt = planAttempt(tat, now, l);
    if (!attempt.allowed) return attempt.retryAfterMs;
    tat = attempt.tat;
    return 'allowed';
  });
}

describe('planAttempt', () => {
  it.each([
    { name: 'allows a client with no failures', times: [0], expected: ['allowed'] },
    {
      name: 'allows `failures` attempts at once and refuses the next until one failure has refilled',
      times: [0, 0, 0, 0, 0, 0],
      expected: ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 2_000],
    },
    {
      name: 'says how much of the refill is left',
      times: [0, 0, 0, 0, 0, 500],
      expected: ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 1_500],
    },
    {
      name: 'allows one more attempt per refill after the budget is spent',
      times: [0, 0, 0, 0, 0, 2_000, 2_000, 4_000],
      expected: ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 2_000, 'allowed'],
    },
    {
      name: 'does not charge refused attempts, so waiting the answered time is always enough',
      times: [0, 0, 0, 0, 0, 1, 1_000, 1_999, 2_000],
      expected: ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 1_999, 1_000, 1, 'allowed'],
    },
    {
      name: 'forgives failures spread wider than the window',
      times: [0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000],
      expected: ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed'],
    },
  ])('$name', ({ times, expected }) => {
    expect(attempts(times)).toEqual(expected);
  });

  it('allows exactly `failures` at once when the window is not a multiple of them', () => {
    const answers = attempts([0, 0, 0, 0, 0, 0, 0, 0], { failures: 7, windowMs: 60_000 });
    expect(answers.filter((a) => a === 'allowed')).toHaveLength(7);
  });
});

describe('planRefund', () => {
  it.each([
    { name: 'gives one failure back', tat: 6_000, now: 0, expected: 4_000 },
    { name: 'forgets a budget that is full again', tat: 2_000, now: 0, expected: undefined },
    { name: 'forgets a budget whose time has passed', tat: 2_000, now: 5_000, expected: undefined },
  ])('$name', ({ tat, now, expected }) => {
    expect(planRefund(tat, now, limit)).toBe(expected);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    { ms: 1, seconds: 1 },
    { ms: 999, seconds: 1 },
    { ms: 1_000, seconds: 1 },
    { ms: 1_001, seconds: 2 },
    { ms: 0, seconds: 1 },
  ])('answers $seconds s for $ms ms', ({ ms, seconds }) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });
});

describe('FailedAuthLimiter', () => {
  it('limits each client on its own budget', () => {
    const limiter = new FailedAuthLimiter({ ...limit, maxClients: 100 });
    for (let i = 0; i < 5; i++) expect(limiter.tryCharge('a', 0).allowed).toBe(true);
    expect(limiter.tryCharge('a', 0).allowed).toBe(false);
    expect(limiter.tryCharge('b', 0).allowed).toBe(true);
  });

  it('gives a refunded failure back', () => {
    const limiter = new FailedAuthLimiter({ ...limit, maxClients: 100 });
    for (let i = 0; i < 5; i++) limiter.tryCharge('a', 0);
    limiter.refund('a', 0);
    expect(limiter.tryCharge('a', 0).allowed).toBe(true);
    expect(limiter.tryCharge('a', 0).allowed).toBe(false);
  });

  it('tracks at most maxClients, forgetting the least recently seen first', () => {
    const limiter = new FailedAuthLimiter({ failures: 1, windowMs: 60_000, maxClients: 100 });
    for (let i = 0; i < 10_000; i++) limiter.tryCharge(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.tryCharge('10.0.39.15', 0).allowed).toBe(false); // the last one seen: still limited
    expect(limiter.tryCharge('10.0.0.0', 0).allowed).toBe(true); // forgotten: a full budget again
  });
});
