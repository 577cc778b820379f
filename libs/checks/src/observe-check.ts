// I/O only: fetches what one check needs from the tenant cluster (through its API with the platform's credentials, or
// over SSH with the platform's key), read-only and bounded. Never decides: evaluate-check.ts does. A failure to look
// becomes an `unavailable` observation with the reason, never an exception.
import { selectNodeNames, sshCheckTimeoutSeconds, type LabCheckSpec } from '@kubelabs/domain';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CheckObservation, ObservedNode, SshRun } from './evaluate-check';
import { getTenantApi, getTenantObject } from './get-tenant-api';
import { runSshScript, type SshAccess } from './run-ssh-script';

export interface CheckTarget {
  /** The tenant-cluster config (tenantClusterConfig from @kubelabs/kube). */
  api: KubeConfig;
  /** The platform's SSH access to the control plane; absent when the platform has no key for this tenant. */
  ssh?: SshAccess;
  workerCount: number;
  /** Bound on each request to the tenant API. */
  requestTimeoutMs: number;
}

interface NodeList {
  items?: {
    metadata?: { name?: string };
    status?: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] };
  }[];
}

const maxPodsRead = 5;

export async function observeCheck(check: LabCheckSpec, target: CheckTarget): Promise<CheckObservation> {
  try {
    return await observe(check, target);
  } catch (error) {
    return { kind: 'unavailable', message: `could not look: ${(error as Error).message}` };
  }
}

async function observe(check: LabCheckSpec, target: CheckTarget): Promise<CheckObservation> {
  const { api, requestTimeoutMs: timeout } = target;
  const enc = encodeURIComponent;
  switch (check.kind) {
    case 'node':
      return { kind: 'nodes', nodes: (await listNodes(api, timeout)).map(({ name, ready }) => ({ name, ready })) };
    case 'workload': {
      const kind = check.workloadKind ?? 'Deployment';
      const resource = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' }[kind];
      const object = await getTenantObject<{ status?: Record<string, number | undefined> }>(
        api,
        `/apis/apps/v1/namespaces/${enc(check.namespace)}/${resource}/${enc(check.name)}`,
        timeout,
      );
      if (!object) return { kind: 'workload', workload: null };
      const status = object.status ?? {};
      return {
        kind: 'workload',
        workload:
          kind === 'DaemonSet'
            ? { replicas: status.desiredNumberScheduled ?? 0, readyReplicas: status.numberReady ?? 0 }
            : { replicas: status.replicas ?? 0, readyReplicas: status.readyReplicas ?? 0 },
      };
    }
    case 'service-endpoints': {
      const ns = enc(check.namespace);
      const service = await getTenantObject(api, `/api/v1/namespaces/${ns}/services/${enc(check.service)}`, timeout);
      if (!service) return { kind: 'service-endpoints', serviceFound: false, readyEndpoints: 0 };
      const slices = await getTenantObject<{
        items?: { endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[] }[];
      }>(
        api,
        `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${enc(`kubernetes.io/service-name=${check.service}`)}`,
        timeout,
      );
      // An endpoint's `ready` left unset means ready (discovery.k8s.io/v1); an address is counted once across slices.
      const ready = new Set<string>();
      for (const slice of slices?.items ?? [])
        for (const endpoint of slice.endpoints ?? [])
          if (endpoint.conditions?.ready !== false) for (const address of endpoint.addresses ?? []) ready.add(address);
      return { kind: 'service-endpoints', serviceFound: true, readyEndpoints: ready.size };
    }
    case 'pod-logs': {
      const ns = enc(check.namespace);
      const pods = await getTenantObject<{
        items?: { metadata?: { name?: string }; spec?: { containers?: { name: string }[] } }[];
      }>(api, `/api/v1/namespaces/${ns}/pods?labelSelector=${enc(check.selector)}`, timeout);
      const read: { name: string; logs: string }[] = [];
      for (const pod of (pods?.items ?? []).slice(0, maxPodsRead)) {
        const name = pod.metadata?.name ?? '';
        const containers = check.container ? [check.container] : (pod.spec?.containers ?? []).map((c) => c.name);
        let logs = '';
        for (const container of containers) {
          const response = await getTenantApi(
            api,
            `/api/v1/namespaces/${ns}/pods/${enc(name)}/log?container=${enc(container)}&tailLines=${check.tailLines ?? 100}`,
            timeout,
          );
          // A container that has not started has no logs (400): nothing to search, not an error.
          if (response.status === 200) logs += response.body;
        }
        read.push({ name, logs });
      }
      return { kind: 'pod-logs', pods: read };
    }
    case 'http': {
      // The tenant's API server makes the request (its node proxy, `scheme:node:port`): the platform reaches the API,
      // and the API server reaches every node port inside the tenant network.
      const node = selectNodeNames(check, target.workerCount)[0]!;
      const path = check.path ?? '/';
      const response = await getTenantApi(
        api,
        `/api/v1/nodes/${enc(`http:${node}:${check.nodePort}`)}/proxy${path}`,
        timeout,
      );
      return { kind: 'http', node, status: response.status, body: response.body };
    }
    case 'ssh': {
      if (!target.ssh) return { kind: 'unavailable', message: 'the platform has no SSH key for this tenant' };
      const seconds = Math.min(check.timeoutSeconds ?? sshCheckTimeoutSeconds.default, sshCheckTimeoutSeconds.max);
      const names = selectNodeNames(check, target.workerCount);
      const controlPlane = selectNodeNames({ role: 'control-plane' }, target.workerCount)[0];
      const needsAddresses = names.some((name) => name !== controlPlane);
      const addresses = needsAddresses
        ? new Map((await listNodes(api, timeout)).map((node) => [node.name, node.address]))
        : new Map<string, string | undefined>();
      const runs: SshRun[] = await Promise.all(
        names.map((node) =>
          runSshScript(
            target.ssh!,
            {
              node,
              viaControlPlane: node !== controlPlane,
              ...(addresses.get(node) ? { address: addresses.get(node) } : {}),
            },
            check.script,
            seconds * 1000,
          ),
        ),
      );
      return { kind: 'ssh', runs };
    }
  }
}

async function listNodes(api: KubeConfig, timeout: number): Promise<(ObservedNode & { address?: string })[]> {
  const list = await getTenantObject<NodeList>(api, '/api/v1/nodes', timeout);
  return (list?.items ?? []).map((node) => {
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return {
      name: node.metadata?.name ?? '',
      ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      ...(address ? { address } : {}),
    };
  });
}
