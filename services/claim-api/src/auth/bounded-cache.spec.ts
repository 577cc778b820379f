import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache';

type Step = ['set', string, number] | ['get', string];

describe('BoundedCache', () => {
  it.each<{ name: string; max: number; steps: Step[]; now?: number; present: string[] }>([
    {
      name: 'keeps entries up to its bound',
      max: 3,
      steps: [
        ['set', 'a', 10],
        ['set', 'b', 10],
        ['set', 'c', 10],
      ],
      present: ['a', 'b', 'c'],
    },
    {
      name: 'drops the least recently set entry when full',
      max: 2,
      steps: [
        ['set', 'a', 10],
        ['set', 'b', 10],
        ['set', 'c', 10],
      ],
      present: ['b', 'c'],
    },
    {
      name: 'counts a read as a use, so the entry read survives',
      max: 2,
      steps: [
        ['set', 'a', 10],
        ['set', 'b', 10],
        ['get', 'a'],
        ['set', 'c', 10],
      ],
      present: ['a', 'c'],
    },
    {
      name: 'answers nothing for an entry whose time is up',
      max: 3,
      steps: [
        ['set', 'a', 5],
        ['set', 'b', 6],
      ],
      now: 5,
      present: ['b'],
    },
    { name: 'keeps nothing with a bound of 0', max: 0, steps: [['set', 'a', 10]], present: [] },
  ])('$name', ({ max, steps, now = 0, present }) => {
    const cache = new BoundedCache<string, string>(max);
    for (const step of steps) {
      if (step[0] === 'set') cache.set(step[1], step[1], step[2]);
      else cache.get(step[1], 0);
    }
    expect(['a', 'b', 'c'].filter((key) => cache.get(key, now) !== undefined)).toEqual(present);
    expect(cache.size).toBeLessThanOrEqual(max);
  });

  it('holds at most its bound under a flood of distinct keys', () => {
    const cache = new BoundedCache<string, true>(1_000);
    for (let i = 0; i < 100_000; i++) cache.set(`key-${i}`, true, 1_000);
    expect(cache.size).toBe(1_000);
    expect(cache.get('key-99999', 0)).toBe(true);
    expect(cache.get('key-0', 0)).toBeUndefined();
  });
});
