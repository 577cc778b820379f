// renderTenant: everything a tenant is in the host cluster, as manifests for server-side apply. Pure and
// deterministic: the same lab, tenant, credentials and options always give the same objects in the same order, so
// re-applying after a crash or a resync is a no-op.
import {
  DomainError,
  type Lab,
  tenantNamespace,
  type TenantCredentials,
  tenantPkiData,
  tenantSecretNames,
} from '@kubelabs/domain';
import { type KubernetesObject, labelKeys, ownershipLabels, type TenantRef } from './kubernetes-object';
import { renderControlPlaneUserData, renderWorkerUserData, type CloudInitInput } from './render-cloud-init';
import {
  isNodeImageTemplate,
  resolveRenderOptions,
  type RenderTenantOptions,
  type ResolvedRenderOptions,
} from './render-options';
import { renderVirtualMachine } from './render-virtual-machine';
import {
  cloudInitSecretKey,
  cloudInitSecretName,
  controlPlaneVmName,
  isDnsLabel,
  kubeApiPort,
  kubeApiServiceName,
  nodeHostname,
  sshAuthorizedKeysSecretKey,
  sshAuthorizedKeysSecretName,
  sshPort,
  sshServiceName,
  workerVmName,
} from './tenant-names';

export interface RenderTenantInput {
  credentials: TenantCredentials;
  /** OpenSSH public keys allowed to log in as `student`; empty until a claim brings the student's key. */
  sshAuthorizedKeys?: string[];
  options?: RenderTenantOptions;
}

const maxWorkers = 99;
const minMemoryMiB = 512;
const sshPublicKeyPattern =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;

/**
 * The tenant's objects, in apply order: Namespace, Secrets, VirtualMachines, Services.
 * Throws `lab.version_not_offered`, `lab.invalid` or `input.invalid` DomainErrors for inputs it cannot render.
 */
export function renderTenant(lab: Lab, tenant: TenantRef, input: RenderTenantInput): KubernetesObject[] {
  const options = resolveRenderOptions(input.options);
  assertRenderable(lab, tenant, options);
  const namespace = tenantNamespace(tenant.id);
  const labels = ownershipLabels(tenant, lab);
  const image = nodeImageFor(lab, tenant.kubernetesVersion, options);
  const cloudInit: CloudInitInput = {
    lab,
    tenant,
    credentials: input.credentials,
    options,
    workerCount: lab.topology.workers.count,
  };

  const nodes = [
    {
      name: controlPlaneVmName(tenant.id),
      role: 'control-plane' as const,
      hostname: nodeHostname('control-plane'),
      size: lab.topology.controlPlane,
      userData: renderControlPlaneUserData(cloudInit),
    },
    ...Array.from({ length: lab.topology.workers.count }, (_, i) => ({
      name: workerVmName(tenant.id, i + 1),
      role: 'worker' as const,
      hostname: nodeHostname('worker', i + 1),
      size: { cpu: lab.topology.workers.cpu, memoryMiB: lab.topology.workers.memoryMiB },
      userData: renderWorkerUserData({ ...cloudInit, workerIndex: i + 1 }),
    })),
  ];

  const secret = (
    name: string,
    data: Record<string, string>,
    extra: Record<string, unknown> = {},
  ): KubernetesObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...labels } },
    type: 'Opaque',
    ...extra,
    data,
  });

  return [
    renderTenantNamespace(tenant, lab, options),
    // Written once and never changed: new credentials for a live tenant would split it from its VMs' trust root, so
    // the API server refuses any change.
    secret(tenantSecretNames.pki, tenantPkiData(input.credentials), { immutable: true }),
    renderSshAuthorizedKeysSecret(tenant, input.sshAuthorizedKeys ?? [], lab),
    ...nodes.map((node) => secret(cloudInitSecretName(node.name), { [cloudInitSecretKey]: base64(node.userData) })),
    ...nodes.map((node) =>
      renderVirtualMachine({
        name: node.name,
        namespace,
        role: node.role,
        hostname: node.hostname,
        size: node.size,
        image,
        userDataSecretName: cloudInitSecretName(node.name),
        labels,
        ...(lab.network ? { network: lab.network } : {}),
        options,
      }),
    ),
    controlPlaneService(kubeApiServiceName, 'https', kubeApiPort, tenant, namespace, labels),
    controlPlaneService(sshServiceName, 'ssh', sshPort, tenant, namespace, labels),
  ];
}

/**
 * The Secret KubeVirt's accessCredentials read the student's SSH keys from (key `key`, one public key a line). It must
 * exist before the VMs start, even empty; a claim re-renders it with the student's key, and KubeVirt pushes the change
 * into the running guests.
 */
export function renderSshAuthorizedKeysSecret(
  tenant: TenantRef,
  sshAuthorizedKeys: string[],
  lab: Pick<Lab, 'id'> = { id: tenant.labId },
): KubernetesObject {
  for (const key of sshAuthorizedKeys) {
    if (!sshPublicKeyPattern.test(key)) {
      throw new DomainError('input.invalid', 'an SSH authorized key is not a single OpenSSH public key line');
    }
  }
  const content = sshAuthorizedKeys.map((key) => `${key}\n`).join('');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: sshAuthorizedKeysSecretName,
      namespace: tenantNamespace(tenant.id),
      labels: ownershipLabels(tenant, lab),
    },
    type: 'Opaque',
    data: { [sshAuthorizedKeysSecretKey]: base64(content) },
  };
}

function renderTenantNamespace(tenant: TenantRef, lab: Lab, options: ResolvedRenderOptions): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenantNamespace(tenant.id),
      labels: {
        ...ownershipLabels(tenant, lab),
        'pod-security.kubernetes.io/enforce': options.podSecurityEnforce,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
      },
    },
  };
}

function controlPlaneService(
  name: string,
  portName: string,
  port: number,
  tenant: TenantRef,
  namespace: string,
  labels: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { ...labels } },
    spec: {
      type: 'ClusterIP',
      selector: { [labelKeys.tenant]: tenant.id, [labelKeys.nodeRole]: 'control-plane' },
      ports: [{ name: portName, protocol: 'TCP', port, targetPort: port }],
    },
  };
}

function invalidInput(message: string, details: Record<string, unknown>): never {
  throw new DomainError('input.invalid', message, details);
}

function assertRenderable(lab: Lab, tenant: TenantRef, options: ResolvedRenderOptions): void {
  const invalidLab = (message: string): never => {
    throw new DomainError('lab.invalid', message, { labId: lab.id });
  };
  if (!isDnsLabel(tenant.id) || !isDnsLabel(tenantNamespace(tenant.id))) {
    invalidInput('the tenant id is not a DNS-1123 label', { tenantId: tenant.id });
  }
  if (tenant.labId !== lab.id)
    invalidInput('the tenant belongs to another lab', { tenantId: tenant.id, labId: lab.id });
  if (!isDnsLabel(lab.id)) invalidLab('the lab id is not a DNS-1123 label');
  if (!lab.kubernetesVersions.includes(tenant.kubernetesVersion)) {
    throw new DomainError(
      'lab.version_not_offered',
      `lab ${lab.id} does not offer Kubernetes ${tenant.kubernetesVersion}`,
      {
        labId: lab.id,
        kubernetesVersion: tenant.kubernetesVersion,
      },
    );
  }
  const version = /^1\.(\d{2})$/.exec(tenant.kubernetesVersion);
  if (!version || Number(version[1]) < 22)
    invalidLab(`Kubernetes ${tenant.kubernetesVersion} is not a supported 1.22+ minor`);
  const { controlPlane, workers } = lab.topology;
  for (const size of [controlPlane, workers]) {
    if (!Number.isInteger(size.cpu) || size.cpu < 1) invalidLab('a node needs a whole number of vCPUs, at least 1');
    if (!Number.isInteger(size.memoryMiB) || size.memoryMiB < minMemoryMiB) {
      invalidLab(`a node needs a whole number of MiB of memory, at least ${minMemoryMiB}`);
    }
  }
  if (!Number.isInteger(workers.count) || workers.count < 0 || workers.count > maxWorkers) {
    invalidLab(`a lab has 0 to ${maxWorkers} workers`);
  }
  if (workers.count > 0 && options.podNetworkBinding === 'masquerade') {
    invalidLab('a lab with workers needs the bridge pod network binding: behind masquerade every node is 10.0.2.2');
  }
  if (lab.image !== undefined && !isNodeImageTemplate(lab.image))
    invalidLab('the lab image is not an image reference with {version}');
}

/** The containerDisk a tenant's VMs boot: the lab's own image if it names one, else the platform's. */
export function nodeImageFor(lab: Lab, kubernetesVersion: string, options: ResolvedRenderOptions): string {
  return (lab.image ?? options.nodeImage).replaceAll('{version}', kubernetesVersion);
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
