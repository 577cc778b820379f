// Bandwidth quantities: what the platform accepts is what the container runtime accepts for the bandwidth
// annotations (a Kubernetes quantity, rounded up to whole bits per second, from 1k to 1P), so no VM is rendered whose
// launcher pod would be refused.
import { describe, expect, it } from 'vitest';
import { bandwidthBitsPerSecond, checkBandwidth, planExtension } from './lab';

describe('bandwidthBitsPerSecond', () => {
  it.each([
    { quantity: '100M', bits: 100_000_000n },
    { quantity: '1k', bits: 1_000n },
    { quantity: '1.5G', bits: 1_500_000_000n },
    { quantity: '512Mi', bits: 536_870_912n },
    { quantity: '1Ki', bits: 1_024n },
    { quantity: '1P', bits: 10n ** 15n },
    { quantity: '2500', bits: 2_500n },
    { quantity: '1.0001k', bits: 1_001n },
    { quantity: '0.0005k', bits: 1n },
  ])('reads $quantity as $bits bit/s, rounding up as Kubernetes does', ({ quantity, bits }) => {
    expect(bandwidthBitsPerSecond(quantity)).toBe(bits);
  });

  it.each(['', '100 M', '100K', '100m', '1e6', '-1M', '+1M', '.5M', '1.M', '100Mbit', '1Ei', `${'9'.repeat(40)}`])(
    'refuses %j, which is not a rate quantity the platform writes',
    (quantity) => {
      expect(bandwidthBitsPerSecond(quantity)).toBeUndefined();
    },
  );
});

describe('checkBandwidth', () => {
  it.each([
    { quantity: '100M', problem: undefined },
    { quantity: '1k', problem: undefined },
    { quantity: '1P', problem: undefined },
    { quantity: '999', problem: 'must be at least 1k (1 kbit/s)' },
    { quantity: '0.5k', problem: 'must be at least 1k (1 kbit/s)' },
    { quantity: '1.001P', problem: 'must be at most 1P (1 Pbit/s)' },
    { quantity: '1Pi', problem: 'must be at most 1P (1 Pbit/s)' },
    { quantity: '100K', problem: expect.stringMatching(/^must be a quantity in bits per second such as 100M/) },
  ])('says $problem of $quantity', ({ quantity, problem }) => {
    expect(checkBandwidth(quantity)).toEqual(problem);
  });
});

describe('planExtension', () => {
  const session = { durationMinutes: 60, maxExtensionMinutes: 30, extensionStepMinutes: 20 };
  it.each([
    { name: 'adds the asked minutes within the maximum', used: 0, asked: 30, plan: { minutes: 30 } },
    { name: 'adds the step without a number', used: 0, asked: undefined, plan: { minutes: 20 } },
    { name: 'cuts the step to what is left', used: 20, asked: undefined, plan: { minutes: 10 } },
    {
      name: 'refuses an asked number past the maximum',
      used: 20,
      asked: 11,
      plan: { exceeded: true, usedMinutes: 20, maxExtensionMinutes: 30 },
    },
    {
      name: 'refuses a step when nothing is left',
      used: 30,
      asked: undefined,
      plan: { exceeded: true, usedMinutes: 30, maxExtensionMinutes: 30 },
    },
  ])('$name', ({ used, asked, plan }) => {
    expect(planExtension(session, used, asked)).toEqual(plan);
  });

  it('takes 15 minutes as the step when the lab does not say', () => {
    expect(planExtension({ durationMinutes: 60, maxExtensionMinutes: 60 }, 0)).toEqual({ minutes: 15 });
  });

  it('refuses any extension of a lab whose maximum is 0', () => {
    expect(planExtension({ durationMinutes: 60, maxExtensionMinutes: 0 }, 0)).toMatchObject({ exceeded: true });
  });
});
