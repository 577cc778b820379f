// [simulator] What a tenant's kube-apiserver would answer, derived from its VirtualMachines and the lab they belong to:
// the API is up once the control-plane VM runs, each running VM is a Node named after the guest's hostname (Ready
// unless the lab's scenario breaks it), and the objects lab checks read come from the lab's scenario (play-lab.ts).
// Pure routing and rendering; tenant-api-server.ts only moves bytes.
import { answerTenantObjects } from './answer-tenant-objects';
import { simulatedIp } from './hash-name';
import { playLab, type SimulatedWorld, type TenantScenarioState } from './play-lab';
import { labelKeys, nodeRoleOf, vmKey, type VirtualMachine } from './virtual-machine';

export interface TenantApiAnswer {
  status: number;
  body: unknown;
}

export interface TenantApiOptions {
  /** Reported when the tenant's VMs do not carry a `kubelabs.io/kubernetes-version` label, e.g. `v1.36.0`. */
  defaultKubernetesVersion: string;
  /** What the simulator was told about a tenant (solved, a bootstrap failure); unsolved and healthy by default. */
  scenarioOf?: (namespace: string, labId: string | undefined) => TenantScenarioState;
}

/** The tenant's VMs by namespace, as of the simulator's last look; undefined when it knows no such tenant. */
export type TenantLookup = (namespace: string) => VirtualMachine[] | undefined;

const tenantPath = /^\/tenants\/([^/]+)(\/.*)?$/;

function status(code: number, reason: string, message: string): TenantApiAnswer {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `[simulator] ${message}`,
      reason,
      code,
    },
  };
}

function isRunning(vm: VirtualMachine): boolean {
  return vm.status?.printableStatus === 'Running' && !vm.metadata.deletionTimestamp;
}

/** Up when a control-plane VM runs; with no role labels at all, when any VM runs. */
function controlPlaneRunning(vms: VirtualMachine[]): boolean {
  const withRole = vms.filter((vm) => nodeRoleOf(vm) !== undefined);
  const controlPlanes = withRole.length > 0 ? vms.filter((vm) => nodeRoleOf(vm) === 'control-plane') : vms;
  return controlPlanes.some(isRunning);
}

/** `1.36`, `v1.36` or `v1.36.2` from the VMs' label; the default otherwise. */
export function tenantKubernetesVersion(
  vms: VirtualMachine[],
  fallback: string,
): { major: string; minor: string; gitVersion: string } {
  const label = vms.map((vm) => vm.metadata.labels?.[labelKeys.kubernetesVersion]).find((value) => value !== undefined);
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(label ?? '') ?? /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(fallback);
  if (!match) return { major: '1', minor: '36', gitVersion: 'v1.36.0' };
  const [, major = '1', minor = '0', patch = '0'] = match;
  return { major, minor, gitVersion: `v${major}.${minor}.${patch}` };
}

export function renderVersion(vms: VirtualMachine[], options: TenantApiOptions): Record<string, string> {
  const version = tenantKubernetesVersion(vms, options.defaultKubernetesVersion);
  return {
    ...version,
    gitCommit: 'simulator',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: 'simulator',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** kubeadm registers the guest's hostname as the Node name. */
function nodeName(vm: VirtualMachine): string {
  return vm.spec?.template?.spec?.hostname ?? vm.metadata.name;
}

function renderNode(vm: VirtualMachine, kubeletVersion: string, world?: SimulatedWorld): Record<string, unknown> {
  const name = nodeName(vm);
  const notReady = world?.notReadyNodes.includes(name) ?? false;
  const ready = vm.status?.conditions?.find((c) => c.type === 'Ready');
  const since = ready?.lastTransitionTime ?? '1970-01-01T00:00:00Z';
  const roleLabel: Record<string, string> =
    nodeRoleOf(vm) === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {};
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: since,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...roleLabel,
      },
      annotations: { 'simulator.kubelabs.io/virtual-machine': vm.metadata.name },
    },
    spec: {},
    status: {
      conditions: [
        notReady
          ? {
              type: 'Ready',
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: '[simulator] Kubelet stopped posting node status.',
              lastHeartbeatTime: since,
              lastTransitionTime: since,
            }
          : {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: '[simulator] kubelet is posting ready status',
              lastHeartbeatTime: since,
              lastTransitionTime: since,
            },
      ],
      addresses: [
        { type: 'InternalIP', address: simulatedIp(vmKey(vm)) },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        osImage: 'Ubuntu 22.04 LTS (simulated)',
        kernelVersion: 'simulated',
        containerRuntimeVersion: 'containerd://simulated',
        operatingSystem: 'linux',
        architecture: 'amd64',
        machineID: vm.metadata.uid ?? vm.metadata.name,
        systemUUID: vm.metadata.uid ?? vm.metadata.name,
        bootID: vm.metadata.uid ?? vm.metadata.name,
      },
    },
  };
}

/** Running VMs become Ready Nodes; booting or failed guests never registered a kubelet, so they are absent. */
export function renderNodeList(
  vms: VirtualMachine[],
  options: TenantApiOptions,
  world?: SimulatedWorld,
): Record<string, unknown> {
  const { gitVersion } = tenantKubernetesVersion(vms, options.defaultKubernetesVersion);
  return {
    apiVersion: 'v1',
    kind: 'NodeList',
    metadata: { resourceVersion: '' },
    items: vms
      .filter(isRunning)
      .toSorted((a, b) => nodeName(a).localeCompare(nodeName(b)))
      .map((vm) => renderNode(vm, gitVersion, world)),
  };
}

export function answerTenantApi(
  method: string,
  url: string,
  lookup: TenantLookup,
  options: TenantApiOptions,
): TenantApiAnswer {
  const path = new URL(url, 'http://simulator').pathname;
  if (path === '/healthz') return { status: 200, body: 'ok' };
  const match = tenantPath.exec(path);
  if (!match) return status(404, 'NotFound', `no route for ${path}`);
  if (method !== 'GET')
    return status(405, 'MethodNotAllowed', `the simulated tenant API only answers GET, not ${method}`);
  const namespace = decodeURIComponent(match[1] ?? '');
  const vms = lookup(namespace);
  if (!vms) return status(404, 'NotFound', `no tenant VirtualMachines in namespace ${namespace}`);
  if (!controlPlaneRunning(vms))
    return status(503, 'ServiceUnavailable', `the control plane of ${namespace} is not running`);
  const labId = vms.map((vm) => vm.metadata.labels?.[labelKeys.lab]).find((value) => value !== undefined);
  const state = options.scenarioOf?.(namespace, labId) ?? { solved: false };
  const running = vms.filter(isRunning);
  const world = playLab(labId, state, {
    controlPlane: running.filter((vm) => nodeRoleOf(vm) === 'control-plane').map(nodeName)[0] ?? 'controlplane',
    workers: running
      .filter((vm) => nodeRoleOf(vm) === 'worker')
      .map(nodeName)
      .toSorted(),
  });
  const subPath = match[2] ?? '/';
  switch (subPath) {
    case '/version':
      return { status: 200, body: renderVersion(vms, options) };
    case '/api/v1/nodes':
      return { status: 200, body: renderNodeList(vms, options, world) };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { status: 200, body: 'ok' };
    default:
      return (
        answerTenantObjects(subPath, new URL(url, 'http://simulator').searchParams, {
          world,
          state,
          nodes: running.map(nodeName),
        }) ?? status(404, 'NotFound', `the simulated tenant API does not serve ${subPath}`)
      );
  }
}
