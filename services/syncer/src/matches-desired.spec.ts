import { describe, expect, it } from 'vitest';
import { matchesDesired } from './matches-desired';

describe('matchesDesired', () => {
  it.each([
    { name: 'fields the server added are ignored', desired: { a: 1 }, current: { a: 1, b: 2 }, expected: true },
    { name: 'a changed field is seen', desired: { a: 1 }, current: { a: 2 }, expected: false },
    { name: 'a missing field is seen', desired: { a: { b: 1 } }, current: { a: {} }, expected: false },
    {
      name: 'array items match as subsets (allocated nodePort)',
      desired: { ports: [{ port: 80 }] },
      current: { ports: [{ port: 80, nodePort: 31000 }] },
      expected: true,
    },
    { name: 'an extra array item is a change', desired: { p: [1] }, current: { p: [1, 2] }, expected: false },
  ])('$name', ({ desired, current, expected }) => {
    expect(matchesDesired(desired, current)).toBe(expected);
  });
});
