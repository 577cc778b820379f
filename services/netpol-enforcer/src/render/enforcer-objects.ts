// The enforcer's manifests and the labels that let it find, and prune, each set it applied to a tenant namespace:
// `baseline` (isolation, for every live tenant), `exposure` (only while claimed) and `quota` (fair share).
import { labelKeys, managedByValue } from '@kubelabs/domain';

/** The keys only this service sets; the shared ones (managed-by, platform, tenant, node-role) are `labelKeys`. */
export const enforcerLabelKeys = {
  component: 'kubelabs.io/component',
  objectSet: 'kubelabs.io/object-set',
} as const;

export const enforcerComponent = 'netpol-enforcer';

export const objectSets = ['baseline', 'exposure', 'quota'] as const;
export type ObjectSet = (typeof objectSets)[number];

/** What a renderer needs to know about a tenant: its id (selector label value) and its namespace in the host. */
export interface TenantRef {
  id: string;
  namespace: string;
}

export interface EnforcerObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

interface EnforcerObject<ApiVersion extends string, Kind extends string, Spec> {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: EnforcerObjectMeta;
  spec: Spec;
}

// The wire shapes of what the enforcer renders, as the API server reads them (`@kubernetes/client-node`'s models are
// its serializer's TypeScript view, with `_from` for `from`; they cannot type a manifest).
export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  /** With `port`, a range of ports (Kubernetes 1.25+). */
  endPort?: number;
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
}

export interface ServiceSpec {
  type: 'NodePort' | 'LoadBalancer';
  externalTrafficPolicy: 'Local' | 'Cluster';
  selector: Record<string, string>;
  ports: { name: string; protocol: 'TCP' | 'UDP'; port: number; targetPort: number }[];
  loadBalancerSourceRanges?: string[];
}

export interface ResourceQuotaSpec {
  hard: Record<string, string>;
}

export interface LimitRangeSpec {
  limits: {
    type: 'Container' | 'Pod' | 'PersistentVolumeClaim';
    defaultRequest?: Record<string, string>;
    default?: Record<string, string>;
    max?: Record<string, string>;
  }[];
}

export type NetworkPolicy = EnforcerObject<'networking.k8s.io/v1', 'NetworkPolicy', NetworkPolicySpec>;
export type Service = EnforcerObject<'v1', 'Service', ServiceSpec>;
export type ResourceQuota = EnforcerObject<'v1', 'ResourceQuota', ResourceQuotaSpec>;
export type LimitRange = EnforcerObject<'v1', 'LimitRange', LimitRangeSpec>;
export type EnforcerManifest = NetworkPolicy | Service | ResourceQuota | LimitRange;

/** Every label an object of `set` carries: ownership (platform, tenant), this component, and the set. */
export function objectSetLabels(platformId: string, tenant: TenantRef, set: ObjectSet): Record<string, string> {
  return {
    [labelKeys.managedBy]: managedByValue,
    [labelKeys.platform]: platformId,
    [labelKeys.tenant]: tenant.id,
    [enforcerLabelKeys.component]: enforcerComponent,
    [enforcerLabelKeys.objectSet]: set,
  };
}

export function metadataFor(name: string, platformId: string, tenant: TenantRef, set: ObjectSet): EnforcerObjectMeta {
  return { name, namespace: tenant.namespace, labels: objectSetLabels(platformId, tenant, set) };
}
