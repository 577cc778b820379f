// Ingress hosts a student writes are confined to the tenant's own subdomain of the platform's domain, so no student
// can take another's host or a name outside the platform's domain (vCluster leaves hosts unconfined; Educates only
// checks that the host contains the session name). Pure.
import { createHash } from 'node:crypto';

/** `<tenant>.<domain>`: every host of this tenant's Ingresses lies at or under it. */
export function tenantSubdomain(tenantId: string, domain: string): string {
  return `${tenantId}.${domain}`;
}

function within(host: string, subdomain: string): boolean {
  return host === subdomain || host.endsWith(`.${subdomain}`);
}

/** One DNS label standing for `host`: readable slug plus 8 hex of its hash, so distinct hosts never share one. */
function mappedLabel(host: string): string {
  const slug = host
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(host).digest('hex').slice(0, 8);
  return slug ? `${slug}-${hash}` : `h-${hash}`;
}

/**
 * Pure: where a host the student wrote is served. A host already at or under the tenant's subdomain is kept; a host
 * without a name (a rule for every host) becomes the subdomain itself; any other is mapped deterministically to one
 * label under it, a wildcard keeping its `*.`.
 */
export function confineIngressHost(host: string | undefined, subdomain: string): string {
  const wanted = (host ?? '').toLowerCase();
  if (wanted === '') return subdomain;
  if (wanted.startsWith('*.')) {
    const rest = wanted.slice(2);
    return within(rest, subdomain) ? wanted : `*.${mappedLabel(rest)}.${subdomain}`;
  }
  return within(wanted, subdomain) ? wanted : `${mappedLabel(wanted)}.${subdomain}`;
}
