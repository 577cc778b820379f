// Every name the tenant's objects use, in one place, each a DNS-1123 label of at most 63 characters: VM, Secret and
// Service names are labels, and a VM's name becomes its VMI's and its launcher pod's hostname.
import { createHash } from 'node:crypto';
import { tenantNamespace, tenantNodeNames, tenantSecretNames } from '@kubelabs/domain';

export type NodeRole = 'control-plane' | 'worker';

export const kubeApiServiceName = 'kube-api';
export const sshServiceName = 'ssh';
export const sshAuthorizedKeysSecretName = tenantSecretNames.sshAuthorizedKeys;
export const sshAuthorizedKeysSecretKey = 'key';
export const cloudInitSecretKey = 'userdata';
export const kubeApiPort = 6443;
export const sshPort = 22;

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && dnsLabelPattern.test(name);
}

/**
 * `base + suffix` when that fits in 63 characters; otherwise the start of `base`, a 10-hex SHA-256 of the whole base
 * and the suffix (vCluster's scheme), so long names stay unique, stable and valid.
 */
export function boundedName(base: string, suffix: string): string {
  const name = `${base}${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 10);
  const head = base.slice(0, 63 - suffix.length - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`;
}

export function controlPlaneVmName(tenantId: string): string {
  return boundedName(tenantId, '-cp');
}

/** Workers count from 1: `<tenant>-w1`, `<tenant>-w2`, ... */
export function workerVmName(tenantId: string, index: number): string {
  return boundedName(tenantId, `-w${index}`);
}

export function cloudInitSecretName(vmName: string): string {
  return boundedName(vmName, '-cloudinit');
}

/** The guest hostname, hence the tenant cluster's node name: what students see in `kubectl get nodes`. */
export function nodeHostname(role: NodeRole, index = 0): string {
  // One definition with the lab checks' node selection (@kubelabs/domain).
  return role === 'control-plane' ? tenantNodeNames(0).controlPlane : tenantNodeNames(index).workers[index - 1]!;
}

/** The fully qualified name of the tenant's API Service in the host cluster: the tenant's controlPlaneEndpoint. */
export function kubeApiHost(tenantId: string, hostClusterDomain: string): string {
  return `${kubeApiServiceName}.${tenantNamespace(tenantId)}.svc.${hostClusterDomain}`;
}

/** Every name under which the API Service is reachable inside the host cluster. */
export function kubeApiServiceNames(tenantId: string, hostClusterDomain: string): string[] {
  const namespace = tenantNamespace(tenantId);
  return [
    kubeApiServiceName,
    `${kubeApiServiceName}.${namespace}`,
    `${kubeApiServiceName}.${namespace}.svc`,
    kubeApiHost(tenantId, hostClusterDomain),
  ];
}
