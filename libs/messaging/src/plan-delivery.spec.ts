// The retry policy as a table: no server needed.
import { describe, expect, it } from 'vitest';
import { backoffDelay, handlerExhausted, planFailure } from './plan-delivery';

const backoff = { initialMs: 1_000, factor: 2, maxMs: 10_000 };

describe('planFailure', () => {
  it.each([
    {
      name: 'retries the first failure after the initial delay',
      deliveryCount: 1,
      terminal: false,
      plan: { kind: 'retry', delayMs: 1_000 },
    },
    {
      name: 'doubles the delay on each further failure',
      deliveryCount: 3,
      terminal: false,
      plan: { kind: 'retry', delayMs: 4_000 },
    },
    {
      name: 'keeps doubling while below the cap',
      deliveryCount: 4,
      terminal: false,
      plan: { kind: 'retry', delayMs: 8_000 },
    },
    {
      name: 'dead-letters when the last allowed delivery failed',
      deliveryCount: 5,
      terminal: false,
      plan: { kind: 'deadletter' },
    },
    {
      name: 'dead-letters a terminal failure on the first delivery',
      deliveryCount: 1,
      terminal: true,
      plan: { kind: 'deadletter' },
    },
  ])('$name', ({ deliveryCount, terminal, plan }) => {
    expect(planFailure({ deliveryCount, terminal, maxDeliver: 5, backoff })).toEqual(plan);
  });

  it('never exceeds maxMs however many deliveries', () => {
    expect(backoffDelay(60, backoff)).toBe(10_000);
    expect(backoffDelay(1_000, { initialMs: 5, factor: 3, maxMs: 250 })).toBe(250);
  });

  it('skips the handler only on deliveries beyond maxDeliver (dead-letter retries)', () => {
    expect([4, 5, 6].map((n) => handlerExhausted(n, 5))).toEqual([false, false, true]);
  });
});
