// What isolates a tenant namespace and, while it is claimed, opens it to its student: NetworkPolicies and the exposure
// Service, as pure functions of the tenant and the settings. Same input, same objects in the same order, so applying
// them again after a crash or on a resync changes nothing.
import { labelKeys } from '@kubelabs/domain';
import { contains, everything, parseCidr, strictlyContains, type Cidr } from './cidr';
import {
  metadataFor,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type Service,
  type TenantRef,
} from './enforcer-objects';
import type { ExposureSettings, HostRanges, IsolationSettings } from './enforcer-settings';

export const sshPort = 22;
export const kubeApiPort = 6443;
export const dnsPort = 53;

/**
 * Link-local ranges, always blocked: clouds serve instance metadata at 169.254.169.254 (AWS's IPv6 fd00:ec2::254 is a
 * unique-local address, in the default EGRESS_BLOCKED_CIDRS' fc00::/7).
 */
export const linkLocalCidrs = ['169.254.0.0/16', 'fe80::/10'] as const;

export const baselinePolicyNames = {
  defaultDeny: 'baseline-default-deny',
  tenantVms: 'baseline-tenant-vms',
  dns: 'baseline-dns',
  internet: 'baseline-internet',
  platform: 'baseline-platform',
} as const;

export const exposurePolicyName = 'exposure-students';
export const syncedExposurePolicyName = 'exposure-synced';
export const exposureServiceName = 'exposure';

/**
 * Every VM launcher pod of the tenant. Every label of a VM template is copied onto its virt-launcher pod, and the
 * provisioner puts `kubelabs.io/tenant` on each template. Not `kubevirt.io/domain` (an annotation on the pod) nor
 * `vm.kubevirt.io/name` (it follows the guest's hostname, not the VM's name).
 */
export function tenantVmLabels(tenant: TenantRef): Record<string, string> {
  return { [labelKeys.tenant]: tenant.id };
}

/** The tenant's control-plane VM's launcher pod: where SSH and the tenant API server listen. */
export function controlPlaneLabels(tenant: TenantRef): Record<string, string> {
  return { [labelKeys.tenant]: tenant.id, [labelKeys.nodeRole]: 'control-plane' };
}

const tcp = (port: number): NetworkPolicyPort => ({ protocol: 'TCP', port });
const accessPorts = (): NetworkPolicyPort[] => [tcp(sshPort), tcp(kubeApiPort)];

function cidrs(texts: readonly string[]): Cidr[] {
  const parsed = texts.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`not a CIDR: ${text}`);
    return cidr;
  });
  return parsed.filter((cidr, i) => parsed.findIndex((other) => other.text === cidr.text) === i);
}

function hostCidrTexts(host: HostRanges): string[] {
  return [...host.podCidrs, ...host.serviceCidrs, ...host.nodeCidrs];
}

/**
 * `cidr` minus the listed ranges. The API server only accepts excepts strictly inside the cidr, so the others (another
 * family, or outside this range) are left out: they are not part of `cidr` anyway.
 */
function ipBlockPeer(cidr: Cidr, excluded: readonly Cidr[]): NetworkPolicyPeer {
  const except = excluded.filter((range) => strictlyContains(cidr, range)).map((range) => range.text);
  return { ipBlock: { cidr: cidr.text, ...(except.length > 0 ? { except } : {}) } };
}

/**
 * The policies every live tenant has from before its first VM boots until its namespace is gone. NetworkPolicies add
 * up (a connection is allowed when any policy selecting the pod allows it), so each one below opens one thing on top
 * of the default deny.
 */
export function renderBaselinePolicies(tenant: TenantRef, settings: IsolationSettings): NetworkPolicy[] {
  const meta = (name: string) => metadataFor(name, settings.platformId, tenant, 'baseline');
  const vms = () => ({ matchLabels: tenantVmLabels(tenant) });
  const blocked = cidrs([...hostCidrTexts(settings.host), ...linkLocalCidrs, ...settings.blockedCidrs]);
  const internet = [everything(4), ...(settings.ipv6Egress ? [everything(6)] : [])];
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(baselinePolicyNames.defaultDeny),
      // Every pod of the namespace, whatever its labels: nothing in, nothing out, unless a policy below allows it.
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(baselinePolicyNames.tenantVms),
      // A kubeadm cluster needs kubelet, API server, etcd, its CNI's overlay and NodePorts between its nodes: any port.
      // A peer with only a podSelector means this namespace, so another tenant's VMs never match.
      spec: {
        podSelector: vms(),
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: vms() }] }],
        egress: [{ to: [{ podSelector: vms() }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(baselinePolicyNames.dns),
      // Workers resolve the tenant API's Service name through the host's DNS. A policy sees the DNS pod after the
      // Service address is translated, so the pods are selected, not the Service's address.
      spec: {
        podSelector: vms(),
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: settings.dns.namespaceSelector },
                podSelector: { matchLabels: settings.dns.podSelector },
              },
            ],
            ports: [
              { protocol: 'UDP', port: dnsPort },
              { protocol: 'TCP', port: dnsPort },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(baselinePolicyNames.internet),
      // Students pull images and packages; the host's pods, Services and nodes, link-local (cloud metadata) and the
      // configured ranges stay out of reach.
      spec: {
        podSelector: vms(),
        policyTypes: ['Egress'],
        egress: [{ to: internet.map((range) => ipBlockPeer(range, blocked)) }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(baselinePolicyNames.platform),
      // The provisioner checks readiness on the tenant API and the syncer works through it; SSH is for operators'
      // tooling. Both selectors in one peer: pods with these labels in namespaces with those, nothing else.
      spec: {
        podSelector: { matchLabels: controlPlaneLabels(tenant) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: settings.platform.namespaceSelector },
                podSelector: { matchLabels: settings.platform.podSelector },
              },
            ],
            ports: accessPorts(),
          },
        ],
      },
    },
  ];
}

/**
 * What a claimed tenant adds: students may reach SSH and the tenant API of the control-plane VM from the configured
 * ranges, through one externally reachable Service. Released, the set is empty and the enforcer prunes both, so no
 * NodePort or LoadBalancer exists for a tenant nobody owns.
 */
export function renderExposure(
  tenant: TenantRef,
  settings: ExposureSettings,
): { policies: NetworkPolicy[]; services: Service[] } {
  const meta = (name: string) => metadataFor(name, settings.platformId, tenant, 'exposure');
  // Not the outside: the host's own ranges and link-local. CNIs such as Calico match ipBlocks against pod addresses
  // too, so these are cut out of every source range: a pod of the host must not reach a student's VM through this
  // rule. A source range lying wholly inside them could only admit such traffic (config refuses it; dropped here too).
  const inside = cidrs([...hostCidrTexts(settings.host), ...linkLocalCidrs]);
  const sources = cidrs(settings.sourceCidrs).filter((source) => !inside.some((range) => contains(range, source)));
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(exposurePolicyName),
    spec: {
      podSelector: { matchLabels: controlPlaneLabels(tenant) },
      policyTypes: ['Ingress'],
      ingress: [{ from: sources.map((source) => ipBlockPeer(source, inside)), ports: accessPorts() }],
    },
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(exposureServiceName),
    spec: {
      type: settings.serviceType,
      // `Local`: nodes deliver to the VM without source NAT, so its launcher pod sees the student's own address and
      // the ipBlock rule above can match it. With `Cluster`, a node forwarding to the VM on another node rewrites the
      // source to its own address, which the rule cuts out (admitting node addresses would make the source ranges
      // meaningless). The price: only the node running the control-plane VM answers (a load balancer finds it by the
      // health-check node port; NodePort access must lead to that node).
      externalTrafficPolicy: 'Local',
      selector: controlPlaneLabels(tenant),
      // No nodePort: the host allocates free ones, and the claim's access reads them back from the Service.
      ports: [
        { name: 'ssh', protocol: 'TCP', port: sshPort, targetPort: sshPort },
        { name: 'kube-api', protocol: 'TCP', port: kubeApiPort, targetPort: kubeApiPort },
      ],
      // The load balancer (and kube-proxy, for traffic to its address) refuses other sources before the policy does.
      ...(settings.serviceType === 'LoadBalancer' ? { loadBalancerSourceRanges: sources.map((c) => c.text) } : {}),
    },
  };
  // What the syncer exposes: its host Services target the tenant's node ports on any of the tenant's VMs (the student's
  // NodePort and LoadBalancer Services, and the backends of their Ingresses). Only those ports, only from the student
  // ranges and the host's ingress controller, only while claimed.
  const nodePorts = settings.tenantNodePorts;
  const synced: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(syncedExposurePolicyName),
    spec: {
      podSelector: { matchLabels: tenantVmLabels(tenant) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...sources.map((source) => ipBlockPeer(source, inside)),
            {
              namespaceSelector: { matchLabels: settings.ingressController.namespaceSelector },
              podSelector: { matchLabels: settings.ingressController.podSelector },
            },
          ],
          ports: (['TCP', 'UDP'] as const).map((protocol) => ({
            protocol,
            port: nodePorts.from,
            ...(nodePorts.to > nodePorts.from ? { endPort: nodePorts.to } : {}),
          })),
        },
      ],
    },
  };
  // No source left (only a misconfiguration can do that): no rule, since an empty `from` admits everyone, and then no
  // Service either: no port stays open that nobody may use.
  return sources.length > 0 ? { policies: [policy, synced], services: [service] } : { policies: [], services: [] };
}
