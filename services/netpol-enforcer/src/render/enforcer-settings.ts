// What the renderers are told about the host cluster and the operator's choices, already parsed and validated (see
// ../config.ts, which builds these from the environment with the defaults). Plain data, so tests build them freely.
import type { VmOverhead } from '@kubelabs/domain';

/** A selector by exact labels (`matchLabels`); every label must match. */
export type MatchLabels = Record<string, string>;

/** The host cluster's own address ranges: a tenant VM must reach none of them, and students come from outside them. */
export interface HostRanges {
  podCidrs: string[];
  serviceCidrs: string[];
  nodeCidrs: string[];
}

export interface IsolationSettings {
  /** `kubelabs.io/platform` on every object. */
  platformId: string;
  host: HostRanges;
  /** Further ranges no tenant VM may reach (beside the host's and link-local), e.g. private networks. */
  blockedCidrs: string[];
  /** Also allow IPv6 internet egress (`::/0` minus the blocked IPv6 ranges and `fe80::/10`). */
  ipv6Egress: boolean;
  /** The host cluster's DNS pods, which the VMs may query on port 53. */
  dns: { namespaceSelector: MatchLabels; podSelector: MatchLabels };
  /** The platform's own pods, the only ones that may reach a tenant's API and SSH from inside the host. */
  platform: { namespaceSelector: MatchLabels; podSelector: MatchLabels };
}

export type ExposureServiceType = 'NodePort' | 'LoadBalancer';

export interface ExposureSettings {
  platformId: string;
  /** Where students may connect from; the host's own ranges and link-local are cut out of each. */
  sourceCidrs: string[];
  serviceType: ExposureServiceType;
  host: HostRanges;
  /**
   * The tenant clusters' node port range: the syncer's host Services target these ports on the tenant's VMs, so while
   * claimed they are open to students and to the host's ingress controller (and nothing else is).
   */
  tenantNodePorts: { from: number; to: number };
  /** The host's ingress controller pods, which serve the syncer's Ingresses. */
  ingressController: { namespaceSelector: MatchLabels; podSelector: MatchLabels };
}

/** KubeVirt's memory and CPU overhead per VM (virt-launcher, QEMU), in the pool manager's formula. */
/** KubeVirt's per-VM overhead figures (the formula is `computeVmOverheadMiB` in libs/domain). */
export type VmOverheadSettings = VmOverhead;

export interface QuotaSettings {
  platformId: string;
  vmOverhead: VmOverheadSettings;
  /** Percent added to the tenant's computed CPU and memory, for the launcher's side containers and estimate error. */
  headroomPercent: number;
  /** Pods beyond one per VM: a replacement launcher while the old one terminates, hotplug volume pods. */
  extraPods: number;
  exposureServiceType: ExposureServiceType;
  /** What the syncer may publish per tenant besides the exposure Service. */
  syncedNodePorts: number;
  syncedLoadBalancers: number;
  /** Requests given to a container that states none, so it counts against the quota. */
  defaultContainerRequest: { cpuMillis: number; memoryMiB: number };
}
