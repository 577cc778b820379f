import { describe, expect, it } from 'vitest';
import { planFailureThrottle } from './plan-failure-throttle';

describe('planFailureThrottle', () => {
  it.each([
    {
      name: 'a healthy pool is not throttled',
      input: { recentFailures: 2, provisioning: 5 },
      allowance: Number.POSITIVE_INFINITY,
    },
    {
      name: 'a failing pool with nothing provisioning may start one probe',
      input: { recentFailures: 3, provisioning: 0 },
      allowance: 1,
    },
    {
      name: 'a failing pool with a probe under way starts nothing more',
      input: { recentFailures: 7, provisioning: 1 },
      allowance: 0,
    },
  ])('$name', ({ input, allowance }) => {
    expect(planFailureThrottle(input).allowance).toBe(allowance);
  });

  it('says why it throttles', () => {
    expect(planFailureThrottle({ recentFailures: 4, provisioning: 0 }).message).toMatch(/4 tenants failed recently/);
  });
});
