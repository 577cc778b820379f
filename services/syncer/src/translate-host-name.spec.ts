import { describe, expect, it } from 'vitest';
import { translateHostName } from './translate-host-name';

describe('translateHostName', () => {
  it.each([
    { name: 'web', namespace: 'default', expected: 'web-x-default' },
    { name: 'api', namespace: 'shop', expected: 'api-x-shop' },
  ])('keeps the readable form for $name in $namespace', ({ name, namespace, expected }) => {
    expect(translateHostName(name, namespace)).toBe(expected);
  });

  it('gives pairs that join to the same text different names (vCluster collides here)', () => {
    const a = translateHostName('a-x', 'b');
    const b = translateHostName('a', 'x-b');
    const c = translateHostName('a-x-b', 'c');
    const d = translateHostName('a', 'b-x-c');
    expect(new Set([a, b, c, d]).size).toBe(4);
    for (const name of [a, b, c, d]) expect(name).toMatch(/-[0-9a-f]{10}$/);
  });

  it('cuts a 63-character name to 63 with a hash, deterministically', () => {
    const long = 'a'.repeat(63);
    const first = translateHostName(long, 'default');
    expect(first).toHaveLength(63);
    expect(first).toMatch(/^a{52}-[0-9a-f]{10}$/);
    expect(translateHostName(long, 'default')).toBe(first);
    expect(translateHostName(long, 'other')).not.toBe(first);
  });

  it('never lets a hashed name equal a plain one', () => {
    // A plain name is at most 62 characters; a hashed one is always 63.
    const plain = translateHostName('b'.repeat(30), 'c'.repeat(29));
    expect(plain.length).toBe(62);
    expect(translateHostName('b'.repeat(30), 'c'.repeat(30))).toHaveLength(63);
  });

  it('is a valid DNS-1035 label for every valid Service name', () => {
    for (const [name, namespace] of [
      ['x', 'y'],
      ['z'.repeat(63), 'n'.repeat(63)],
      ['web-x', 'x'],
    ] as const)
      expect(translateHostName(name, namespace)).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});
