import { describe, expect, it } from 'vitest';
import { nextArrivalOrder } from './arrival-order';

describe('nextArrivalOrder', () => {
  it('is strictly increasing even when many claims arrive in the same millisecond or the clock steps back', () => {
    const values = [
      nextArrivalOrder(1000),
      nextArrivalOrder(1000),
      nextArrivalOrder(1000),
      nextArrivalOrder(999),
      nextArrivalOrder(1001),
    ];
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!);
    expect(values[4]).toBe(1_001_000);
  });
});
