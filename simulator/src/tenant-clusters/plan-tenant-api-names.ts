// [simulator] The names and addresses a tenant API server's serving certificate carries, derived exactly as kubeadm
// derives them (kubeadm's `GetAPIServerAltNames`) from the kubeadm configuration the provisioner rendered into the
// control-plane VM's cloud-init: the node name, `kubernetes`, `kubernetes.default`, `kubernetes.default.svc`,
// `kubernetes.default.svc.<dnsDomain>`, the first address of the service subnet, the advertise address, the
// controlPlaneEndpoint's host and every `apiServer.certSANs` entry. Pure.
import { isIP } from 'node:net';
import { parse, parseAllDocuments } from 'yaml';

export interface TenantApiNames {
  dns: string[];
  ips: string[];
}

interface KubeadmDocument {
  kind?: string;
  controlPlaneEndpoint?: string;
  apiServer?: { certSANs?: string[] };
  networking?: { serviceSubnet?: string; dnsDomain?: string };
  nodeRegistration?: { name?: string };
  localAPIEndpoint?: { advertiseAddress?: string };
}

/** The kubeadm configuration file that cloud-init writes on the control plane. */
export const kubeadmConfigPath = '/etc/kubelabs/kubeadm.yaml';

/** The kubeadm configuration text inside cloud-init user data (`#cloud-config` with `write_files`). */
export function readKubeadmConfig(userData: string): string | undefined {
  const document = parse(userData) as { write_files?: { path?: string; content?: string }[] } | null;
  return document?.write_files?.find((file) => file.path === kubeadmConfigPath)?.content;
}

/** The first usable address of an IPv4 subnet (`10.95.0.0/16` → `10.95.0.1`): the `kubernetes` Service's. */
function firstAddress(cidr: string): string | undefined {
  const [base] = cidr.split('/');
  if (!base || isIP(base) !== 4) return undefined;
  const octets = base.split('.').map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) + 1;
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

export function planTenantApiNames(
  kubeadmConfig: string,
  node: { hostname: string; advertiseAddress: string },
): TenantApiNames {
  const documents = parseAllDocuments(kubeadmConfig).map((doc) => doc.toJS() as KubeadmDocument);
  const init = documents.find((d) => d.kind === 'InitConfiguration') ?? {};
  const cluster = documents.find((d) => d.kind === 'ClusterConfiguration') ?? {};
  const dnsDomain = cluster.networking?.dnsDomain ?? 'cluster.local';
  const serviceSubnet = cluster.networking?.serviceSubnet ?? '10.96.0.0/12';
  const names = [
    init.nodeRegistration?.name ?? node.hostname,
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${dnsDomain}`,
    firstAddress(serviceSubnet.split(',')[0] ?? ''),
    init.localAPIEndpoint?.advertiseAddress ?? node.advertiseAddress,
    cluster.controlPlaneEndpoint?.replace(/:\d+$/, ''),
    ...(cluster.apiServer?.certSANs ?? []),
  ].filter((name): name is string => !!name);
  const unique = [...new Set(names)];
  return { dns: unique.filter((n) => isIP(n) === 0), ips: unique.filter((n) => isIP(n) !== 0) };
}
