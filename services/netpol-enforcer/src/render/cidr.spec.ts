// Table tests for the CIDR arithmetic behind ipBlock excepts: parsing, canonical form, containment.
import { describe, expect, it } from 'vitest';
import { contains, parseCanonicalCidr, parseCidr, strictlyContains } from './cidr';

describe('parseCidr', () => {
  it.each([
    { text: '10.244.0.0/16', canonical: '10.244.0.0/16', family: 4 },
    { text: '0.0.0.0/0', canonical: '0.0.0.0/0', family: 4 },
    { text: '10.244.1.7/16', canonical: '10.244.0.0/16', family: 4 },
    { text: '203.0.113.10/32', canonical: '203.0.113.10/32', family: 4 },
    { text: '::/0', canonical: '::/0', family: 6 },
    { text: 'fe80::/10', canonical: 'fe80::/10', family: 6 },
    { text: '2001:DB8:0:0::/32', canonical: '2001:db8::/32', family: 6 },
    { text: 'fd00:0010:0244:0000:0000:0000:0000:0000/56', canonical: 'fd00:10:244::/56', family: 6 },
    { text: '2001:db8:0:1:0:0:0:0/64', canonical: '2001:db8:0:1::/64', family: 6 },
    { text: '2001:0:0:1:0:0:0:0/128', canonical: '2001:0:0:1::/128', family: 6 },
    { text: '1:0:0:2:0:0:0:3/128', canonical: '1:0:0:2::3/128', family: 6 },
    { text: '1:0:0:2:0:0:3:4/128', canonical: '1::2:0:0:3:4/128', family: 6 },
    { text: '1:0:2:3:4:5:6:7/128', canonical: '1:0:2:3:4:5:6:7/128', family: 6 },
    { text: '1:2:3:4:5:6:7:8/128', canonical: '1:2:3:4:5:6:7:8/128', family: 6 },
  ])('reads $text as $canonical', ({ text, canonical, family }) => {
    expect(parseCidr(text)).toMatchObject({ text: canonical, family });
    expect(parseCanonicalCidr(text)?.text).toBe(text === canonical ? canonical : undefined);
  });

  it.each([
    '10.244.0.0',
    '10.244.0.0/33',
    '10.244.0/16',
    '256.0.0.0/8',
    '010.0.0.0/8',
    '10.0.0.0/08',
    '10.0.0.0/',
    '::ffff:10.0.0.0/104',
    '1:2:3:4:5:6:7:8:9/128',
    '1::2::3/64',
    'fe80::/129',
    'gggg::/16',
    '',
    'not-a-cidr',
  ])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

const cidr = (text: string) => parseCidr(text)!;

describe('containment', () => {
  it.each([
    { outer: '0.0.0.0/0', inner: '10.0.0.0/8', strictly: true, within: true },
    { outer: '10.0.0.0/8', inner: '10.244.0.0/16', strictly: true, within: true },
    { outer: '10.0.0.0/8', inner: '10.0.0.0/8', strictly: false, within: true },
    { outer: '10.244.0.0/16', inner: '10.0.0.0/8', strictly: false, within: false },
    { outer: '10.0.0.0/8', inner: '11.0.0.0/16', strictly: false, within: false },
    { outer: '0.0.0.0/0', inner: 'fe80::/10', strictly: false, within: false },
    { outer: '::/0', inner: 'fe80::/10', strictly: true, within: true },
    { outer: 'fc00::/7', inner: 'fd00:ec2::254/128', strictly: true, within: true },
  ])('$outer holds $inner: strictly $strictly, at all $within', ({ outer, inner, strictly, within }) => {
    expect(strictlyContains(cidr(outer), cidr(inner))).toBe(strictly);
    expect(contains(cidr(outer), cidr(inner))).toBe(within);
  });
});
