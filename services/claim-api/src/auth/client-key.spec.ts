import { describe, expect, it } from 'vitest';
import { clientKeyOf } from './client-key';

describe('clientKeyOf', () => {
  it.each([
    { name: 'an IPv4 address as it is', ip: '203.0.113.7', key: '203.0.113.7' },
    { name: 'an IPv4-mapped IPv6 address as its IPv4 address', ip: '::ffff:203.0.113.7', key: '203.0.113.7' },
    { name: 'an IPv6 address by its /64', ip: '2001:db8:1:2:aaaa:bbbb:cccc:dddd', key: '2001:db8:1:2::/64' },
    { name: 'two hosts of one /64 as one client', ip: '2001:db8:1:2::99', key: '2001:db8:1:2::/64' },
    { name: 'a compressed IPv6 address', ip: '2001:db8::1', key: '2001:db8:0:0::/64' },
    {
      name: 'leading zeros and upper case the same as without',
      ip: '2001:0DB8:0001:0002::1',
      key: '2001:db8:1:2::/64',
    },
    { name: 'an IPv6 address with a zone', ip: 'fe80::1%eth0', key: 'fe80:0:0:0::/64' },
    { name: 'the IPv6 loopback', ip: '::1', key: '0:0:0:0::/64' },
    { name: 'an IPv6 address with an embedded IPv4 tail', ip: '64:ff9b::192.0.2.33', key: '64:ff9b:0:0::/64' },
    { name: 'no address at all as one unknown client', ip: undefined, key: 'unknown' },
    { name: 'something that is not an address as it is', ip: 'not-an-ip', key: 'not-an-ip' },
  ])('counts $name', ({ ip, key }) => {
    expect(clientKeyOf(ip)).toBe(key);
  });
});
