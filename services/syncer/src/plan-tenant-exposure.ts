// Pure: from what a tenant cluster holds (its NodePort and LoadBalancer Services, its Ingresses) and the names other
// owners hold in the tenant's host namespace, the host objects that should exist and what became of each tenant
// object (synced, or rejected with a reason a student can act on). Deterministic: same input, same output, so a
// resync or a restart re-applies exactly what is there.
import { labelKeys } from '@kubelabs/domain';
import { confineIngressHost, tenantSubdomain } from './confine-ingress-host';
import {
  sourceAnnotations,
  syncerLabels,
  type HostIngress,
  type HostService,
  type IngressBackend,
  type TenantIngress,
  type TenantService,
} from './sync-objects';
import { translateHostName } from './translate-host-name';

export interface PortRange {
  from: number;
  to: number;
}

export interface ExposureLimits {
  /** NodePort and LoadBalancer Services synced per tenant. */
  services: number;
  ingresses: number;
  /** Service ports (the tenant Service's `port`) that may be exposed. */
  ports: PortRange[];
}

export interface SyncSettings {
  platformId: string;
  /** The platform's domain; each tenant's Ingress hosts are confined to `<tenant>.<domain>`. */
  ingressDomain: string;
  /** The host's IngressClass for synced Ingresses (empty: the host's default class). */
  ingressClassName: string;
  /**
   * A cert-manager ClusterIssuer for the synced Ingresses' hosts (empty: plain HTTP): each host Ingress gets a `tls`
   * section for its hosts and the issuer annotation, and cert-manager keeps its certificate.
   */
  ingressTlsIssuer?: string;
}

/** cert-manager's ingress-shim reads this annotation and issues a certificate for the Ingress's `tls` hosts. */
export const certManagerIssuerAnnotation = 'cert-manager.io/cluster-issuer';

export interface PlanInput {
  tenant: { id: string; namespace: string };
  limits: ExposureLimits;
  settings: SyncSettings;
  services: TenantService[];
  ingresses: TenantIngress[];
  /** `Kind/name` of objects in the host namespace that the syncer does not own: never overwritten. */
  foreignHostNames: ReadonlySet<string>;
}

export type RejectReason =
  | 'exposure.limit'
  | 'exposure.port_not_allowed'
  | 'exposure.name_taken'
  | 'exposure.no_node_port'
  | 'exposure.backend_unreachable'
  | 'exposure.host_refused';

export interface ExposureOutcome {
  kind: 'Service' | 'Ingress';
  namespace: string;
  name: string;
  uid?: string;
  hostName: string;
  state: 'synced' | 'rejected';
  reason?: RejectReason;
  /** For a student: what happened and how to fix it. */
  message?: string;
  /** Ingress: each host the student wrote and the host it is served at. */
  hosts?: { requested: string; host: string }[];
}

export interface ExposurePlan {
  services: HostService[];
  ingresses: HostIngress[];
  outcomes: ExposureOutcome[];
}

const exposedTypes = new Set(['NodePort', 'LoadBalancer']);

export function isExposedService(service: TenantService): boolean {
  return exposedTypes.has(service.spec?.type ?? 'ClusterIP');
}

/** Oldest first, then by namespace and name: who is first under a limit never depends on list order. */
function byAge<T extends { metadata: { creationTimestamp?: string; namespace: string; name: string } }>(
  a: T,
  b: T,
): number {
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  const an = `${a.metadata.namespace}/${a.metadata.name}`;
  const bn = `${b.metadata.namespace}/${b.metadata.name}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function formatPortRanges(ranges: PortRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

function hostMetadata(
  input: PlanInput,
  kind: 'Service' | 'Ingress',
  source: { name: string; namespace: string; uid?: string },
) {
  return {
    name: translateHostName(source.name, source.namespace),
    namespace: input.tenant.namespace,
    labels: syncerLabels(input.settings.platformId, input.tenant.id),
    annotations: {
      [sourceAnnotations.kind]: kind,
      [sourceAnnotations.namespace]: source.namespace,
      [sourceAnnotations.name]: source.name,
      ...(source.uid ? { [sourceAnnotations.uid]: source.uid } : {}),
    },
  };
}

function planServices(input: PlanInput): { services: HostService[]; outcomes: ExposureOutcome[] } {
  const services: HostService[] = [];
  const outcomes: ExposureOutcome[] = [];
  const candidates = input.services.filter((s) => isExposedService(s) && !s.metadata.deletionTimestamp).toSorted(byAge);
  for (const service of candidates) {
    const { name, namespace, uid } = service.metadata;
    const hostName = translateHostName(name, namespace);
    const base = { kind: 'Service' as const, namespace, name, ...(uid ? { uid } : {}), hostName };
    const reject = (reason: RejectReason, message: string) =>
      outcomes.push({ ...base, state: 'rejected', reason, message });
    const ports = service.spec?.ports ?? [];
    const outside = ports.filter((p) => !input.limits.ports.some((r) => p.port >= r.from && p.port <= r.to));
    if (outside.length > 0) {
      reject(
        'exposure.port_not_allowed',
        `port ${outside.map((p) => p.port).join(', ')} may not be exposed in this lab; allowed: ` +
          `${formatPortRanges(input.limits.ports) || 'none'}`,
      );
      continue;
    }
    if (ports.length === 0 || ports.some((p) => !p.nodePort)) {
      reject(
        'exposure.no_node_port',
        'the Service has no node port on every port (allocateLoadBalancerNodePorts: false?); the platform reaches ' +
          'Services through their node ports',
      );
      continue;
    }
    if (input.foreignHostNames.has(`Service/${hostName}`)) {
      reject('exposure.name_taken', `the host already has a Service named ${hostName} that the platform does not own`);
      continue;
    }
    if (services.length >= input.limits.services) {
      reject(
        'exposure.limit',
        `this lab exposes at most ${input.limits.services} Services (NodePort or LoadBalancer); delete one to expose this`,
      );
      continue;
    }
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: hostMetadata(input, 'Service', service.metadata),
      spec: {
        type: 'NodePort',
        // As for the enforcer's exposure Service: no source NAT, so the VM (and the policy) sees the student's address.
        externalTrafficPolicy: 'Local',
        // Every VM of the tenant: kube-proxy inside the tenant answers on the node port on each of its nodes.
        selector: { [labelKeys.tenant]: input.tenant.id },
        // No nodePort: the host allocates its own (a tenant's node port may be taken on the host, loft-sh/vcluster#3171).
        ports: ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          protocol: p.protocol ?? 'TCP',
          port: p.port,
          targetPort: p.nodePort!,
        })),
      },
    });
    outcomes.push({ ...base, state: 'synced' });
  }
  return { services, outcomes };
}

interface BackendResolution {
  backend?: IngressBackend;
  problem?: string;
}

function resolveBackend(
  backend: IngressBackend,
  namespace: string,
  tenantServices: Map<string, TenantService>,
  synced: Set<string>,
): BackendResolution {
  const ref = backend.service;
  if (!ref) return { problem: 'a resource backend cannot be reached from the host; use a Service backend' };
  const service = tenantServices.get(`${namespace}/${ref.name}`);
  const port = ref.port?.number ?? service?.spec?.ports?.find((p) => p.name === ref.port?.name)?.port;
  const label = `${ref.name}:${ref.port?.number ?? ref.port?.name ?? '?'}`;
  if (!service) return { problem: `backend ${label}: no Service ${ref.name} in namespace ${namespace}` };
  if (!isExposedService(service))
    return {
      problem:
        `backend ${label} is a ${service.spec?.type ?? 'ClusterIP'} Service, which the host cannot reach; make it ` +
        `NodePort: kubectl -n ${namespace} patch svc ${ref.name} -p '{"spec":{"type":"NodePort"}}'`,
    };
  if (!synced.has(`${namespace}/${ref.name}`))
    return { problem: `backend ${label}: its Service is not exposed (see the Service's events)` };
  if (port === undefined || !service.spec?.ports?.some((p) => p.port === port))
    return { problem: `backend ${label}: the Service has no such port` };
  return { backend: { service: { name: translateHostName(ref.name, namespace), port: { number: port } } } };
}

function planIngresses(
  input: PlanInput,
  syncedServices: Set<string>,
): { ingresses: HostIngress[]; outcomes: ExposureOutcome[] } {
  const ingresses: HostIngress[] = [];
  const outcomes: ExposureOutcome[] = [];
  const tenantServices = new Map(input.services.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  const subdomain = tenantSubdomain(input.tenant.id, input.settings.ingressDomain);
  for (const ingress of input.ingresses.filter((i) => !i.metadata.deletionTimestamp).toSorted(byAge)) {
    const { name, namespace, uid } = ingress.metadata;
    const hostName = translateHostName(name, namespace);
    const base = { kind: 'Ingress' as const, namespace, name, ...(uid ? { uid } : {}), hostName };
    const problems: string[] = [];
    const hosts: { requested: string; host: string }[] = [];
    const rules: HostIngress['spec']['rules'] = [];
    const addRule = (
      requested: string | undefined,
      paths: { path: string; pathType: string; backend: IngressBackend }[],
    ) => {
      const host = confineIngressHost(requested, subdomain);
      if (!hosts.some((h) => h.requested === (requested ?? ''))) hosts.push({ requested: requested ?? '', host });
      const existing = rules.find((r) => r.host === host);
      if (existing) existing.http.paths.push(...paths);
      else rules.push({ host, http: { paths } });
    };
    for (const rule of ingress.spec?.rules ?? []) {
      const paths: { path: string; pathType: string; backend: IngressBackend }[] = [];
      for (const path of rule.http?.paths ?? []) {
        const resolved = resolveBackend(path.backend, namespace, tenantServices, syncedServices);
        if (resolved.backend)
          paths.push({ path: path.path ?? '/', pathType: path.pathType ?? 'Prefix', backend: resolved.backend });
        else if (resolved.problem && !problems.includes(resolved.problem)) problems.push(resolved.problem);
      }
      if (paths.length > 0) addRule(rule.host, paths);
    }
    // A default backend would catch every host the host's controller serves: it becomes a rule for the subdomain.
    if (ingress.spec?.defaultBackend) {
      const resolved = resolveBackend(ingress.spec.defaultBackend, namespace, tenantServices, syncedServices);
      if (resolved.backend) addRule(undefined, [{ path: '/', pathType: 'Prefix', backend: resolved.backend }]);
      else if (resolved.problem && !problems.includes(resolved.problem)) problems.push(resolved.problem);
    }
    // A student's TLS section names a Secret inside the tenant, which never leaves it: with an issuer the platform
    // serves its own certificate for the mapped hosts; without one the hosts are plain HTTP, and the student is told.
    const tlsIssuer = input.settings.ingressTlsIssuer ?? '';
    if ((ingress.spec?.tls?.length ?? 0) > 0 && tlsIssuer === '')
      problems.push('TLS sections are not synced: the platform serves these hosts over plain HTTP');
    const message = problems.length > 0 ? problems.join('; ') : undefined;
    if (rules.length === 0) {
      outcomes.push({
        ...base,
        state: 'rejected',
        reason: 'exposure.backend_unreachable',
        message: message ?? 'the Ingress has no rule with a Service backend',
      });
      continue;
    }
    if (input.foreignHostNames.has(`Ingress/${hostName}`)) {
      outcomes.push({
        ...base,
        state: 'rejected',
        reason: 'exposure.name_taken',
        message: `the host already has an Ingress named ${hostName} that the platform does not own`,
      });
      continue;
    }
    if (ingresses.length >= input.limits.ingresses) {
      outcomes.push({
        ...base,
        state: 'rejected',
        reason: 'exposure.limit',
        message: `this lab exposes at most ${input.limits.ingresses} Ingresses; delete one to expose this`,
      });
      continue;
    }
    const owned = hostMetadata(input, 'Ingress', ingress.metadata);
    const metadata = {
      ...owned,
      annotations: {
        ...owned.annotations,
        ...(tlsIssuer !== '' ? { [certManagerIssuerAnnotation]: tlsIssuer } : {}),
      } as Record<string, string>,
    };
    ingresses.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata,
      spec: {
        ...(input.settings.ingressClassName ? { ingressClassName: input.settings.ingressClassName } : {}),
        rules,
        ...(tlsIssuer !== ''
          ? { tls: [{ hosts: [...new Set(rules.map((rule) => rule.host))], secretName: `${hostName}-tls` }] }
          : {}),
      },
    });
    outcomes.push({
      ...base,
      state: 'synced',
      hosts,
      ...(message ? { reason: 'exposure.backend_unreachable' as const, message } : {}),
    });
  }
  return { ingresses, outcomes };
}

export function planTenantExposure(input: PlanInput): ExposurePlan {
  const services = planServices(input);
  const synced = new Set(services.outcomes.filter((o) => o.state === 'synced').map((o) => `${o.namespace}/${o.name}`));
  const ingresses = planIngresses(input, synced);
  return {
    services: services.services,
    ingresses: ingresses.ingresses,
    outcomes: [...services.outcomes, ...ingresses.outcomes],
  };
}
