// Names of the syncer's host objects. A tenant's objects land in that tenant's own host namespace, so names only need
// to be unique across the tenant cluster's namespaces; they must still fit Kubernetes' 63-character labels and never
// meet a name another (name, namespace) pair produces. vCluster's `<name>-x-<namespace>` is the reference; it collides
// (`a-x` in `b` and `a` in `x-b` are both `a-x-x-b`), so an ambiguous or long name gets a hash instead.
import { createHash } from 'node:crypto';

export const maxNameLength = 63;
const hashLength = 10;
const separator = '-x-';

function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
  return count;
}

/**
 * Pure: the host name of tenant object `name` in tenant namespace `namespace`. Plain `<name>-x-<namespace>` when that
 * holds the separator exactly once and is at most 62 characters (so it parses back to one pair); otherwise its first
 * 52 characters, a dash and 10 hex digits of SHA-256 over the pair. A hashed name is either 63 characters long or
 * holds the separator twice, so it never equals a plain one; two hashed names differ unless SHA-256's first 40 bits do.
 */
export function translateHostName(name: string, namespace: string): string {
  const plain = `${name}${separator}${namespace}`;
  if (plain.length < maxNameLength && occurrences(plain, separator) === 1) return plain;
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, hashLength);
  return `${plain.slice(0, maxNameLength - hashLength - 1)}-${hash}`;
}
