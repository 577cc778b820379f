// The edge-value generator reads every shared field's pattern and finds the values on both sides of its line.
import { describe, expect, it } from 'vitest';
import { edgeValues } from './edge-values';
import { fieldRules, type FieldRule } from './index';

const rule = (pattern: string, maxLength?: number): FieldRule => ({
  pattern,
  regex: new RegExp(pattern, 'u'),
  description: 'test',
  ...(maxLength !== undefined ? { maxLength } : {}),
});

describe('edgeValues', () => {
  it('finds the shortest, the longest, each range end and each special character, and their invalid neighbours', () => {
    const { valid, invalid } = edgeValues(rule('^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$'));
    expect(valid[0]).toHaveLength(1);
    expect(valid.at(-1)).toHaveLength(128);
    for (const char of ['A', 'Z', 'a', 'z', '0', '9']) expect(valid).toContain(char);
    for (const char of ['.', '_', ':', '@', '+', '-']) {
      expect(valid).toContain(`A${char}`);
      expect(invalid).toContain(char); // not allowed first
    }
    expect(invalid).toEqual(expect.arrayContaining(['', 'A'.repeat(129), 'A ', 'A/', 'A#', 'Aé', 'A\n', ' A']));
  });

  it('tries each alternative, optional part and the maximum length, counted in code points', () => {
    const { valid, invalid } = edgeValues(rule('^(ab|cd)-[a-z]{2,}( [^\\r\\n]*)?$', 10));
    expect(valid).toEqual(expect.arrayContaining(['ab-aa', 'cd-aa', 'ab-aa ', 'ab-aa    😀', 'ab-aa    \uFE0F']));
    expect(invalid).toEqual(expect.arrayContaining(['ab-a', 'ax-aa', 'ab-aa\n', 'ab-aa     😀', 'ab-\u0000a']));
    expect(valid.every((v) => [...v].length <= 10)).toBe(true);
  });

  it.each(Object.keys(fieldRules) as (keyof typeof fieldRules)[])(
    'reads the contract pattern of %s and finds values on both sides of it',
    (name) => {
      const { valid, invalid } = edgeValues(fieldRules[name]);
      expect(valid.length).toBeGreaterThanOrEqual(3);
      expect(invalid.length).toBeGreaterThan(3);
    },
  );
});
