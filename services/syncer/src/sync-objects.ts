// The wire shapes the syncer reads in a tenant cluster and writes in the host, the labels and annotations that tie a
// host object to its source, and the annotations written back on the source. One place, shared by plan and apply.
import { labelKeys, managedByValue } from '@kubelabs/domain';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface TenantService {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { type?: string; ports?: ServicePort[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
  resource?: unknown;
}

export interface IngressPath {
  path?: string;
  pathType?: string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface TenantIngress {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { ingressClassName?: string; defaultBackend?: IngressBackend; rules?: IngressRule[]; tls?: unknown[] };
}

export interface HostService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta & { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    type: 'NodePort';
    externalTrafficPolicy: 'Local';
    selector: Record<string, string>;
    ports: { name?: string; protocol: 'TCP' | 'UDP' | 'SCTP'; port: number; targetPort: number; nodePort?: number }[];
  };
}

export interface HostIngress {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'Ingress';
  metadata: ObjectMeta & { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    ingressClassName?: string;
    rules: { host: string; http: { paths: { path: string; pathType: string; backend: IngressBackend }[] } }[];
    /** With the syncer's TLS issuer: the hosts, and the Secret cert-manager keeps their certificate in. */
    tls?: { hosts: string[]; secretName: string }[];
  };
}

export const syncerComponent = 'syncer';
export const componentLabel = 'kubelabs.io/component';

/** On every host object: where it came from, so a person (and the syncer after a restart) can trace it. */
export const sourceAnnotations = {
  kind: 'kubelabs.io/source-kind',
  namespace: 'kubelabs.io/source-namespace',
  name: 'kubelabs.io/source-name',
  uid: 'kubelabs.io/source-uid',
} as const;

/** Written back on the tenant's object: what became of it and where the world reaches it. */
export const writeBackAnnotations = {
  state: 'kubelabs.io/exposure',
  message: 'kubelabs.io/exposure-message',
  addresses: 'kubelabs.io/public-addresses',
  hosts: 'kubelabs.io/public-hosts',
} as const;

export function syncerLabels(platformId: string, tenantId: string): Record<string, string> {
  return {
    [labelKeys.managedBy]: managedByValue,
    [labelKeys.platform]: platformId,
    [labelKeys.tenant]: tenantId,
    [componentLabel]: syncerComponent,
  };
}

/** Selects exactly the syncer's host objects of one tenant (what the apply set may prune). */
export function syncerSelector(platformId: string, tenantId: string): string {
  return Object.entries(syncerLabels(platformId, tenantId))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** Selects every host object of the syncer on this platform (watches). */
export function allSyncerObjects(platformId: string): string {
  return `${labelKeys.managedBy}=${managedByValue},${labelKeys.platform}=${platformId},${componentLabel}=${syncerComponent}`;
}

export const hostKinds = [
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
] as const;
