// The network-policy enforcer's configuration: the platform's variables plus what isolation, exposure and fair share
// need to know about the host cluster, validated once at start-up, and the pure mapping to the renderers' settings.
import { IsBoolean, IsIn, Matches, ValidateBy, type ValidationArguments } from 'class-validator';
import { EnvBoolean, EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';
import {
  contains,
  linkLocalCidrs,
  parseCanonicalCidr,
  type Cidr,
  type ExposureServiceType,
  type ExposureSettings,
  type HostRanges,
  type IsolationSettings,
  type MatchLabels,
  type QuotaSettings,
} from './render';

/** `a/b,c/d` into its items; `none` (or nothing) is the empty list, since an empty variable means "the default". */
export function splitList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed.split(',').map((item) => item.trim());
}

const labelNamePattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelPrefixPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return labelNamePattern.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && labelPrefixPattern.test(prefix) && labelNamePattern.test(key.slice(slash + 1));
}

/** `k=v,k2=v2` into matchLabels, or undefined when it is not one (a selector must name at least one label). */
export function parseMatchLabels(text: string): MatchLabels | undefined {
  const labels: MatchLabels = {};
  const pairs = splitList(text);
  if (pairs.length === 0) return undefined;
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 0) return undefined;
    const key = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    if (!isLabelKey(key) || !labelValuePattern.test(value) || key in labels) return undefined;
    labels[key] = value;
  }
  return labels;
}

function parseCidrList(text: string, { wholeSpace }: { wholeSpace: boolean }): Cidr[] | undefined {
  const cidrs = splitList(text).map(parseCanonicalCidr);
  if (cidrs.some((cidr) => cidr === undefined || (!wholeSpace && cidr.prefix === 0))) return undefined;
  return cidrs as Cidr[];
}

/** Comma-separated canonical CIDRs (IPv4 and IPv6 may mix), or `none`. */
const EnvCidrList = ({ wholeSpace = false, required = false } = {}): PropertyDecorator =>
  ValidateBy({
    name: 'envCidrList',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        const cidrs = parseCidrList(value, { wholeSpace });
        return cidrs !== undefined && (!required || cidrs.length > 0);
      },
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be comma-separated CIDRs with no host bits set, in canonical form (e.g. 10.244.0.0/16,` +
        ` fd00:10:244::/56)${wholeSpace ? '' : ', none of them /0,'}${required ? ' and at least one' : ' or none'}`,
    },
  });

const EnvMatchLabels = (): PropertyDecorator =>
  ValidateBy({
    name: 'envMatchLabels',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseMatchLabels(value) !== undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be one or more label=value pairs, comma-separated (e.g. k8s-app=kube-dns)`,
    },
  });

export class NetpolEnforcerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8083;

  /** How often every live tenant's objects are compared with what they should be (drift, missed events). */
  @EnvIntegerInRange(200, 600_000)
  ENFORCER_RESYNC_INTERVAL_MS: number = 30_000;

  /** Tenants reconciled at once. */
  @EnvIntegerInRange(1, 64)
  ENFORCER_CONCURRENCY: number = 8;

  // Isolation. The host cluster's own ranges: no tenant VM may reach them, no student is admitted from them.
  /** The host cluster's pod network(s) (kubeadm `--pod-network-cidr`, the CNI's IP pools). */
  @EnvCidrList()
  HOST_POD_CIDRS: string = '10.244.0.0/16';

  /** The host cluster's Service range(s) (`--service-cluster-ip-range`). */
  @EnvCidrList()
  HOST_SERVICE_CIDRS: string = '10.96.0.0/12';

  /** The host nodes' addresses. Set it when nodes have public addresses: private ones are blocked by default below. */
  @EnvCidrList()
  HOST_NODE_CIDRS: string = '';

  /**
   * Further ranges tenant VMs may not reach (link-local, where clouds serve metadata, is always blocked). By default
   * every private and shared range, so a host network the operator did not list stays out of reach; a registry mirror
   * on a private address needs this narrowed.
   */
  @EnvCidrList()
  EGRESS_BLOCKED_CIDRS: string = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7';

  /** Also let tenant VMs reach the IPv6 internet (on dual-stack hosts). */
  @EnvBoolean()
  @IsBoolean({ message: 'EGRESS_IPV6 must be true or false' })
  EGRESS_IPV6: boolean = false;

  /** Where the host cluster's DNS pods run, and their labels: tenant VMs may query them on port 53. */
  @EnvMatchLabels()
  DNS_NAMESPACE_SELECTOR: string = 'kubernetes.io/metadata.name=kube-system';

  @EnvMatchLabels()
  DNS_POD_SELECTOR: string = 'k8s-app=kube-dns';

  /** The platform's namespace and pods (deploy/kubernetes): the only ones that may reach tenant API and SSH inside. */
  @EnvMatchLabels()
  PLATFORM_NAMESPACE_SELECTOR: string = 'kubernetes.io/metadata.name=kubelabs-system';

  @EnvMatchLabels()
  PLATFORM_POD_SELECTOR: string = 'app.kubernetes.io/part-of=kubelabs';

  // Exposure, while a tenant is claimed.
  /** Where students connect from; the host's own ranges and link-local are cut out of each, none may lie inside. */
  @EnvCidrList({ wholeSpace: true, required: true })
  @ValidateBy({
    name: 'outsideHostRanges',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const config = args?.object as NetpolEnforcerConfig;
        const sources = typeof value === 'string' ? parseCidrList(value, { wholeSpace: true }) : undefined;
        const inside = [config.HOST_POD_CIDRS, config.HOST_SERVICE_CIDRS, config.HOST_NODE_CIDRS]
          .flatMap((list) => parseCidrList(list, { wholeSpace: false }) ?? [])
          .concat(linkLocalCidrs.map((cidr) => parseCanonicalCidr(cidr)!));
        return !sources?.some((source) => inside.some((range) => contains(range, source)));
      },
      defaultMessage: () =>
        'EXPOSURE_SOURCE_CIDRS must not lie inside HOST_POD_CIDRS, HOST_SERVICE_CIDRS, HOST_NODE_CIDRS or link-local',
    },
  })
  EXPOSURE_SOURCE_CIDRS: string = '0.0.0.0/0';

  /** `NodePort` (students reach a host node's address) or `LoadBalancer` (the host's load balancer gives one). */
  @IsIn(['NodePort', 'LoadBalancer'], { message: "EXPOSURE_SERVICE_TYPE must be 'NodePort' or 'LoadBalancer'" })
  EXPOSURE_SERVICE_TYPE: string = 'NodePort';

  /**
   * The host name or address students reach NodePort exposure on (the host nodes' public name). With
   * `externalTrafficPolicy: Local` only the node running the control-plane VM answers, so it must lead there (one
   * node, or a name whose front routes by port to any node). LoadBalancer exposure uses the load balancer's address.
   */
  @Matches(
    /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$/,
    {
      message: 'EXPOSURE_PUBLIC_HOST must be a host name or an IP address',
    },
  )
  EXPOSURE_PUBLIC_HOST: string = 'localhost';

  /**
   * The tenant clusters' node port range (their kube-apiserver's `--service-node-port-range`): while a tenant is
   * claimed, its VMs accept these ports from the student ranges and the ingress controller, for what the syncer exposes.
   */
  @Matches(/^([1-9][0-9]{0,4})-([1-9][0-9]{0,4})$/, {
    message: 'TENANT_NODE_PORT_RANGE must be FROM-TO, e.g. 30000-32767',
  })
  @ValidateBy({
    name: 'portRange',
    validator: {
      validate: (value: unknown) => {
        const [from, to] = String(value).split('-').map(Number);
        return from !== undefined && to !== undefined && from <= to && to <= 65535;
      },
      defaultMessage: () => 'TENANT_NODE_PORT_RANGE must be FROM-TO with FROM <= TO <= 65535',
    },
  })
  TENANT_NODE_PORT_RANGE: string = '30000-32767';

  /** The host's ingress controller pods (namespace and pod labels), which serve the syncer's Ingresses. */
  @EnvMatchLabels()
  INGRESS_CONTROLLER_NAMESPACE_SELECTOR: string = 'kubernetes.io/metadata.name=ingress-nginx';

  @EnvMatchLabels()
  INGRESS_CONTROLLER_POD_SELECTOR: string = 'app.kubernetes.io/name=ingress-nginx';

  // Fair share: the tenant's ResourceQuota and LimitRange.
  /** Percent added to a tenant's computed CPU and memory in its quota. */
  @EnvIntegerInRange(0, 100)
  QUOTA_HEADROOM_PERCENT: number = 10;

  /** Pods allowed beyond one per VM (a replacement launcher while the old one terminates, hotplug volume pods). */
  @EnvIntegerInRange(0, 50)
  QUOTA_EXTRA_PODS: number = 4;

  /** Node ports and load balancers the syncer may publish per tenant, besides the exposure Service. */
  @EnvIntegerInRange(0, 50)
  QUOTA_SYNCED_NODEPORTS: number = 8;

  @EnvIntegerInRange(0, 10)
  QUOTA_SYNCED_LOADBALANCERS: number = 0;

  /** Requests a container that states none is given, so that it counts against the quota. */
  @EnvIntegerInRange(1, 4000)
  QUOTA_DEFAULT_CONTAINER_CPU_MILLIS: number = 50;

  @EnvIntegerInRange(1, 4096)
  QUOTA_DEFAULT_CONTAINER_MEMORY_MIB: number = 64;

  // KubeVirt's per-VM overhead figures, for the shared formula (`computeVmOverheadMiB` in libs/domain). The defaults
  // are `defaultVmOverhead`'s, the pool manager's: 218 MiB + 8 MiB per vCPU + 16 MiB per graphics device + 0.2 % of
  // guest memory; 100 millicores.
  @EnvIntegerInRange(0, 4096)
  KUBEVIRT_VM_OVERHEAD_BASE_MIB: number = 218;

  @EnvIntegerInRange(0, 256)
  KUBEVIRT_VM_OVERHEAD_MIB_PER_VCPU: number = 8;

  /** Per mille of guest memory (2 = 0.2 %). */
  @EnvIntegerInRange(0, 100)
  KUBEVIRT_VM_OVERHEAD_GUEST_MEMORY_PERMILLE: number = 2;

  /** 0: the provisioner renders VMs with `autoattachGraphicsDevice: false`. */
  @EnvIntegerInRange(0, 4)
  KUBEVIRT_GRAPHICS_DEVICES_PER_VM: number = 0;

  @EnvIntegerInRange(0, 256)
  KUBEVIRT_VM_OVERHEAD_MIB_PER_GRAPHICS_DEVICE: number = 16;

  @EnvIntegerInRange(0, 4000)
  KUBEVIRT_VM_CPU_OVERHEAD_MILLIS: number = 100;
}

/** A validated config's list: canonical by validation, so the texts are used as they are. */
const cidrTexts = (text: string): string[] => splitList(text);
const matchLabels = (text: string): MatchLabels => parseMatchLabels(text) ?? {};

function hostRangesFrom(config: NetpolEnforcerConfig): HostRanges {
  return {
    podCidrs: cidrTexts(config.HOST_POD_CIDRS),
    serviceCidrs: cidrTexts(config.HOST_SERVICE_CIDRS),
    nodeCidrs: cidrTexts(config.HOST_NODE_CIDRS),
  };
}

export function isolationSettingsFrom(config: NetpolEnforcerConfig): IsolationSettings {
  return {
    platformId: config.PLATFORM_ID,
    host: hostRangesFrom(config),
    blockedCidrs: cidrTexts(config.EGRESS_BLOCKED_CIDRS),
    ipv6Egress: config.EGRESS_IPV6,
    dns: {
      namespaceSelector: matchLabels(config.DNS_NAMESPACE_SELECTOR),
      podSelector: matchLabels(config.DNS_POD_SELECTOR),
    },
    platform: {
      namespaceSelector: matchLabels(config.PLATFORM_NAMESPACE_SELECTOR),
      podSelector: matchLabels(config.PLATFORM_POD_SELECTOR),
    },
  };
}

export function exposureSettingsFrom(config: NetpolEnforcerConfig): ExposureSettings {
  return {
    platformId: config.PLATFORM_ID,
    sourceCidrs: cidrTexts(config.EXPOSURE_SOURCE_CIDRS),
    serviceType: config.EXPOSURE_SERVICE_TYPE as ExposureServiceType,
    host: hostRangesFrom(config),
    tenantNodePorts: {
      from: Number(config.TENANT_NODE_PORT_RANGE.split('-')[0]),
      to: Number(config.TENANT_NODE_PORT_RANGE.split('-')[1]),
    },
    ingressController: {
      namespaceSelector: matchLabels(config.INGRESS_CONTROLLER_NAMESPACE_SELECTOR),
      podSelector: matchLabels(config.INGRESS_CONTROLLER_POD_SELECTOR),
    },
  };
}

export function quotaSettingsFrom(config: NetpolEnforcerConfig): QuotaSettings {
  return {
    platformId: config.PLATFORM_ID,
    vmOverhead: {
      baseMiB: config.KUBEVIRT_VM_OVERHEAD_BASE_MIB,
      mibPerVcpu: config.KUBEVIRT_VM_OVERHEAD_MIB_PER_VCPU,
      guestMemoryPermille: config.KUBEVIRT_VM_OVERHEAD_GUEST_MEMORY_PERMILLE,
      graphicsDevicesPerVm: config.KUBEVIRT_GRAPHICS_DEVICES_PER_VM,
      mibPerGraphicsDevice: config.KUBEVIRT_VM_OVERHEAD_MIB_PER_GRAPHICS_DEVICE,
      cpuMillisPerVm: config.KUBEVIRT_VM_CPU_OVERHEAD_MILLIS,
    },
    headroomPercent: config.QUOTA_HEADROOM_PERCENT,
    extraPods: config.QUOTA_EXTRA_PODS,
    exposureServiceType: config.EXPOSURE_SERVICE_TYPE as ExposureServiceType,
    syncedNodePorts: config.QUOTA_SYNCED_NODEPORTS,
    syncedLoadBalancers: config.QUOTA_SYNCED_LOADBALANCERS,
    defaultContainerRequest: {
      cpuMillis: config.QUOTA_DEFAULT_CONTAINER_CPU_MILLIS,
      memoryMiB: config.QUOTA_DEFAULT_CONTAINER_MEMORY_MIB,
    },
  };
}
