// Pure: what the syncer writes back on a tenant's object once its host object exists (or was refused): annotations
// with the public addresses or hosts, a LoadBalancer Service's `status.loadBalancer.ingress` (the syncer is the
// tenant's load-balancer provider, so `kubectl get svc` shows an EXTERNAL-IP), and a Warning event in the tenant
// cluster that `kubectl describe` shows when something was refused.
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import type { ExposureOutcome } from './plan-tenant-exposure';
import { writeBackAnnotations, type HostService, type TenantService } from './sync-objects';

export interface PublicAddress {
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  host: string;
  publicPort: number;
}

export interface WriteBack {
  /** The syncer's annotations on the tenant object (a null value removes a stale one). */
  annotations: Record<string, string>;
  /** Set on a LoadBalancer Service: its status' ingress list. */
  loadBalancerIngress?: { ip?: string; hostname?: string }[];
  /** A Warning event for the object, when something was refused. */
  event?: { reason: string; message: string };
  addresses?: PublicAddress[];
}

/** The public address of each port, from the host Service as the host allocated it; undefined until it has. */
export function readPublicAddresses(host: HostService | undefined, publicHost: string): PublicAddress[] | undefined {
  if (!host) return undefined;
  const addresses = host.spec.ports.map((p) =>
    p.nodePort ? { port: p.port, protocol: p.protocol, host: publicHost, publicPort: p.nodePort } : undefined,
  );
  return addresses.every((a) => a !== undefined) ? (addresses as PublicAddress[]) : undefined;
}

export function renderWriteBack(
  outcome: ExposureOutcome,
  source: TenantService | undefined,
  host: HostService | undefined,
  publicHost: string,
): WriteBack {
  if (outcome.state === 'rejected')
    return {
      annotations: { [writeBackAnnotations.state]: 'rejected', [writeBackAnnotations.message]: outcome.message ?? '' },
      event: { reason: 'ExposureRejected', message: outcome.message ?? 'not exposed' },
    };
  const annotations: Record<string, string> = { [writeBackAnnotations.state]: 'synced' };
  if (outcome.message) annotations[writeBackAnnotations.message] = outcome.message;
  const result: WriteBack = { annotations };
  if (outcome.kind === 'Service') {
    const addresses = readPublicAddresses(host, publicHost);
    if (addresses) {
      annotations[writeBackAnnotations.addresses] = addresses
        .map((a) => `${a.port}/${a.protocol}=${a.host}:${a.publicPort}`)
        .join(',');
      result.addresses = addresses;
    }
    if (source?.spec?.type === 'LoadBalancer')
      result.loadBalancerIngress = [isIP(publicHost) ? { ip: publicHost } : { hostname: publicHost }];
  } else if (outcome.hosts) {
    annotations[writeBackAnnotations.hosts] = outcome.hosts
      .map((h) => `${h.requested === '' ? '*' : h.requested}=${h.host}`)
      .join(',');
  }
  if (outcome.message) result.event = { reason: 'BackendUnreachable', message: outcome.message };
  return result;
}

/** A stable event name per object and message: writing it again changes nothing, a new message is a new event. */
export function eventName(objectName: string, message: string): string {
  const hash = createHash('sha256').update(message).digest('hex').slice(0, 12);
  return `${objectName.slice(0, 200)}.kubelabs-${hash}`;
}
