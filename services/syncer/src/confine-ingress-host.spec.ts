import { describe, expect, it } from 'vitest';
import { confineIngressHost, tenantSubdomain } from './confine-ingress-host';

const sub = tenantSubdomain('t-lab-a1b2c', 'labs.example.org');

describe('confineIngressHost', () => {
  it.each([
    { name: 'the subdomain itself is kept', host: 't-lab-a1b2c.labs.example.org', expected: sub },
    { name: 'a host under the subdomain is kept', host: 'web.t-lab-a1b2c.labs.example.org', expected: `web.${sub}` },
    { name: 'upper case is folded and kept', host: 'WEB.T-lab-a1b2c.labs.example.org', expected: `web.${sub}` },
    { name: 'no host means the subdomain', host: undefined, expected: sub },
    { name: 'a wildcard under the subdomain is kept', host: `*.${sub}`, expected: `*.${sub}` },
  ])('$name', ({ host, expected }) => {
    expect(confineIngressHost(host, sub)).toBe(expected);
  });

  it.each([
    { name: 'a foreign domain', host: 'www.google.com' },
    { name: "another tenant's subdomain", host: 'web.t-other-zzzzz.labs.example.org' },
    { name: 'a look-alike suffix', host: `evil${sub}` },
    { name: 'the platform domain itself', host: 'labs.example.org' },
    { name: 'a wildcard outside', host: '*.example.com' },
  ])('maps $name under the subdomain', ({ host }) => {
    const mapped = confineIngressHost(host, sub);
    expect(mapped.endsWith(`.${sub}`)).toBe(true);
    expect(mapped).toBe(confineIngressHost(host, sub));
    for (const label of mapped.split('.')) expect(label.length).toBeLessThanOrEqual(63);
  });

  it('maps hosts whose slugs agree to different names', () => {
    expect(confineIngressHost('web.example.com', sub)).not.toBe(confineIngressHost('web-example.com', sub));
  });

  it('keeps a wildcard a wildcard', () => {
    expect(confineIngressHost('*.example.com', sub)).toMatch(/^\*\.example-com-[0-9a-f]{8}\./);
  });
});
