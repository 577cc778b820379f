// CIDR arithmetic for the policies: the API server refuses an ipBlock `except` that is not a strict subset of its
// `cidr`, so the renderer must know which ranges contain which, per address family. Pure; no I/O.

export interface Cidr {
  family: 4 | 6;
  /** The network address as an unsigned integer (32 or 128 bits). */
  address: bigint;
  prefix: number;
  /** Canonical text: IPv4 dotted quad without leading zeros, IPv6 per RFC 5952; host bits zero. */
  text: string;
}

const ipv4Pattern = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const prefixPattern = /^(0|[1-9]\d{0,2})$/;

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4(text: string): bigint | undefined {
  const match = ipv4Pattern.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((sum, octet) => (sum << 8n) | BigInt(octet), 0n);
}

function groupsOf(half: string | undefined): string[] {
  return half === undefined || half === '' ? [] : half.split(':');
}

/** Hexadecimal groups only: an embedded IPv4 tail (`::ffff:1.2.3.4`) is refused, as it has two spellings. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return groups.reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function formatIpv4(address: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 255n)).join('.');
}

/** RFC 5952: lower case, no leading zeros, the first longest run of two or more zero groups written `::`. */
function formatIpv6(address: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The CIDR, or undefined when `text` is not one (an address without `/prefix` is not a CIDR). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!prefixPattern.test(prefixText)) return undefined;
  const family: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  const prefix = Number(prefixText);
  if (address === undefined || prefix > bitsOf(family)) return undefined;
  const hostBits = BigInt(bitsOf(family) - prefix);
  const network = (address >> hostBits) << hostBits;
  return {
    family,
    address: network,
    prefix,
    text: `${family === 4 ? formatIpv4(network) : formatIpv6(network)}/${prefix}`,
  };
}

/**
 * A CIDR exactly as the API server stores it: canonical text with no host bits set. Kubernetes warns about (and, with
 * strict IP validation, refuses) `10.0.0.1/8` or `2001:DB8::/32`; refusing them at start-up names the variable.
 */
export function parseCanonicalCidr(text: string): Cidr | undefined {
  const cidr = parseCidr(text);
  return cidr && cidr.text === text ? cidr : undefined;
}

/** Whether `inner` lies inside `outer` and is smaller: what the API server requires of an ipBlock `except`. */
export function strictlyContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix >= inner.prefix) return false;
  const shift = BigInt(bitsOf(outer.family) - outer.prefix);
  return inner.address >> shift === outer.address >> shift;
}

/** Whether `inner` lies inside `outer` (equal ranges included). */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.text === inner.text || strictlyContains(outer, inner);
}

/** The whole address space of a family: `0.0.0.0/0` or `::/0`. */
export function everything(family: 4 | 6): Cidr {
  return parseCidr(family === 4 ? '0.0.0.0/0' : '::/0')!;
}
