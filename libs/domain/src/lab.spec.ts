// Bandwidth quantities: what the platform accepts is what the container runtime accepts for the bandwidth
// annotations (a Kubernetes quantity, rounded up to whole bits per second, from 1k to 1P), so no VM is rendered whose
// launcher pod would be refused.
import { describe, expect, it } from 'vitest';
import { bandwidthBitsPerSecond, checkBandwidth } from './lab';

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
