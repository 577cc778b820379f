// Who failed authentications are counted against: the request's source address as Fastify reports it (so the
// service's trust-proxy setting decides whether X-Forwarded-For counts). One IPv6 host usually holds a whole /64, so
// IPv6 clients are counted by their /64 network; an IPv4-mapped IPv6 address counts as its IPv4 address.
import { isIPv4, isIPv6 } from 'node:net';

/** Pure: the limiter's key for a source address. */
export function clientKeyOf(ip: string | undefined): string {
  const address = (ip ?? '').trim();
  if (isIPv4(address)) return address;
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return address === '' ? 'unknown' : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case, without leading zeros. */
function expandIPv6(address: string): string[] {
  const withoutV4 = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => {
    const [w, x, y, z] = [a, b, c, d].map(Number) as [number, number, number, number];
    return `${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
  });
  const [head, tail] = withoutV4.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}
