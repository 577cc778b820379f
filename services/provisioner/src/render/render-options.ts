// Platform-level knobs for rendering tenants, with the defaults chosen for them and the reasons.
import { checkBandwidth, DomainError } from '@kubelabs/domain';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';
export type PodNetworkBinding = 'bridge' | 'masquerade';

export interface RenderTenantOptions {
  /** DNS domain of the host cluster the VMs run in, for the API Service's name. Default `cluster.local`. */
  hostClusterDomain?: string;
  /** Further names or IPs the tenant API is served under (an exposure hostname, say); added to the API certificate. */
  apiServerExtraSans?: string[];
  /**
   * The tenant cluster's own networking. Its pod and Service ranges must not overlap the host cluster's, or the
   * tenant's routes and kube-proxy rules swallow traffic meant for the host network (the API Service included).
   * Defaults follow cluster-api-provider-kubevirt: pods 10.243.0.0/16, Services 10.95.0.0/16, domain cluster.local.
   */
  tenantNetworking?: { podSubnet?: string; serviceSubnet?: string; dnsDomain?: string };
  /**
   * Pod Security Admission level enforced on the tenant namespace. Default `restricted`: since KubeVirt 0.59 the
   * virt-launcher pod runs non-root and meets `restricted`; only Passt, VirtioFS, post-copy migration and the `Root`
   * feature gate need a `privileged` namespace, and tenant VMs use none of them. Relax it for a host that runs KubeVirt
   * with the Root feature gate. `warn` and `audit` always stay at `restricted`.
   */
  podSecurityEnforce?: PodSecurityLevel;
  /**
   * How the VM joins the pod network. Default `bridge`: the guest gets the launcher pod's own IP, so the nodes of a
   * multi-node tenant reach one another (kubelet, CNI overlay, API server to kubelet). With `masquerade` every guest
   * sits behind NAT as 10.0.2.2, all nodes claim that one InternalIP, and cross-node traffic breaks; it is accepted
   * only for labs without workers.
   */
  podNetworkBinding?: PodNetworkBinding;
  /** A CNI manifest the node image ships; the control plane applies it after `kubeadm init` when the file exists. */
  cniManifestPath?: string;
  /**
   * The platform's node image, a containerDisk every tenant VM boots unless its lab names its own; `{version}` becomes
   * the tenant's Kubernetes minor. Default `quay.io/kubelabs/ubuntu-kubeadm:{version}`, the repository and tags
   * `deploy/images/build-node-image.sh` builds by default.
   */
  nodeImage?: string;
  /** Pull policy for the containerDisk image. Default `IfNotPresent`: version images are immutable tags. */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * Bandwidth of every tenant VM whose lab sets none (the lab's `network` wins), as Kubernetes quantities in bits per
   * second (`100M`). Default: no limit; the provisioner's config supplies the platform's defaults. A direction left
   * out gets no annotation.
   */
  vmBandwidth?: VmBandwidth;
}

/** Per direction, the rate written as `kubernetes.io/ingress-bandwidth` / `egress-bandwidth`; absent: no limit. */
export interface VmBandwidth {
  ingress?: string;
  egress?: string;
}

export interface ResolvedRenderOptions {
  hostClusterDomain: string;
  apiServerExtraSans: string[];
  tenantNetworking: { podSubnet: string; serviceSubnet: string; dnsDomain: string };
  podSecurityEnforce: PodSecurityLevel;
  podNetworkBinding: PodNetworkBinding;
  cniManifestPath: string;
  nodeImage: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  vmBandwidth: VmBandwidth;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const cidr = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const san = /^[A-Za-z0-9*]([A-Za-z0-9.:*-]*[A-Za-z0-9])?$/;
const absolutePath = /^\/[A-Za-z0-9._/-]+$/;

/** What deploy/images/build-node-image.sh tags by default (NODE_IMAGE_REPO), one tag per Kubernetes minor. */
export const defaultNodeImage = 'quay.io/kubelabs/ubuntu-kubeadm:{version}';

/**
 * A node image reference with the `{version}` placeholder (the lab schema's rule for a lab's own image): each
 * Kubernetes minor has its own image, so a reference without it would boot every version from one disk.
 */
export function isNodeImageTemplate(image: string): boolean {
  return image.length <= 255 && nodeImagePattern.test(image);
}

/** The lab schema's pattern for an image with `{version}` (contracts/lab.schema.json `image`). */
export const nodeImagePattern = /^[a-z0-9][A-Za-z0-9._/:@-]*\{version\}[A-Za-z0-9._:-]*$/;

export function resolveRenderOptions(options: RenderTenantOptions = {}): ResolvedRenderOptions {
  const resolved: ResolvedRenderOptions = {
    hostClusterDomain: options.hostClusterDomain ?? 'cluster.local',
    apiServerExtraSans: [...(options.apiServerExtraSans ?? [])],
    tenantNetworking: {
      podSubnet: options.tenantNetworking?.podSubnet ?? '10.243.0.0/16',
      serviceSubnet: options.tenantNetworking?.serviceSubnet ?? '10.95.0.0/16',
      dnsDomain: options.tenantNetworking?.dnsDomain ?? 'cluster.local',
    },
    podSecurityEnforce: options.podSecurityEnforce ?? 'restricted',
    podNetworkBinding: options.podNetworkBinding ?? 'bridge',
    cniManifestPath: options.cniManifestPath ?? '/etc/kubelabs/cni.yaml',
    nodeImage: options.nodeImage ?? defaultNodeImage,
    imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
    vmBandwidth: {
      ...(options.vmBandwidth?.ingress === undefined ? {} : { ingress: options.vmBandwidth.ingress }),
      ...(options.vmBandwidth?.egress === undefined ? {} : { egress: options.vmBandwidth.egress }),
    },
  };
  if (!dnsSubdomain.test(resolved.hostClusterDomain)) invalid('hostClusterDomain', resolved.hostClusterDomain);
  if (!dnsSubdomain.test(resolved.tenantNetworking.dnsDomain))
    invalid('tenantNetworking.dnsDomain', resolved.tenantNetworking.dnsDomain);
  if (!cidr.test(resolved.tenantNetworking.podSubnet))
    invalid('tenantNetworking.podSubnet', resolved.tenantNetworking.podSubnet);
  if (!cidr.test(resolved.tenantNetworking.serviceSubnet))
    invalid('tenantNetworking.serviceSubnet', resolved.tenantNetworking.serviceSubnet);
  for (const name of resolved.apiServerExtraSans)
    if (name.length > 253 || !san.test(name)) invalid('apiServerExtraSans', name);
  if (!absolutePath.test(resolved.cniManifestPath)) invalid('cniManifestPath', resolved.cniManifestPath);
  if (!isNodeImageTemplate(resolved.nodeImage)) invalid('nodeImage', resolved.nodeImage);
  for (const [direction, quantity] of Object.entries(resolved.vmBandwidth))
    if (checkBandwidth(quantity)) invalid(`vmBandwidth.${direction}`, quantity);
  return resolved;
}

function invalid(option: string, value: unknown): never {
  throw new DomainError('input.invalid', `render option ${option} is invalid`, { option, value });
}
