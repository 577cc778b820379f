// [simulator] The read-only routes of the stand-in tenant API beyond nodes: the bootstrap outcome ConfigMaps, workloads,
// Services and their EndpointSlices, Pods and their logs, and the node proxy to a node port; what lab checks read.
// Pure: renders a SimulatedWorld (play-lab.ts). Answers only GET; anything else it does not serve is a 404 Status.
import { bootstrapOutcome, bootstrapOutcomeName } from '@kubelabs/domain';
import type { SimulatedWorld, TenantScenarioState } from './play-lab';

export interface TenantObjectsAnswer {
  status: number;
  body: unknown;
}

export interface TenantObjectsInput {
  world: SimulatedWorld;
  state: TenantScenarioState;
  /** Names of the nodes whose VMs run (their kubelets registered, their bootstrap ran). */
  nodes: string[];
}

function statusBody(code: number, reason: string, message: string): TenantObjectsAnswer {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}

const notFound = (what: string) => statusBody(404, 'NotFound', `[simulator] ${what} not found`);

/** Equality-based label selectors only (`a=b,c!=d`, `k`, `!k`): what lab checks use. */
export function matchesSelector(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    const [, key = '', op, value = ''] = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term) ?? [];
    if (op === '!=') return labels[key] !== value;
    if (op) return labels[key] === value;
    return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
  });
}

export function answerTenantObjects(
  path: string,
  query: URLSearchParams,
  input: TenantObjectsInput,
): TenantObjectsAnswer | undefined {
  const { world } = input;
  const selector = query.get('labelSelector');
  let m: RegExpExecArray | null;

  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(path))) {
    const items =
      m[1] === bootstrapOutcome.namespace
        ? bootstrapOutcomes(input).filter((cm) => matchesSelector(cm.metadata.labels, selector))
        : [];
    return { status: 200, body: { apiVersion: 'v1', kind: 'ConfigMapList', metadata: {}, items } };
  }
  if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|daemonsets)\/([^/]+)$/.exec(path))) {
    const kind = { deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet' }[m[2]!]!;
    const found = world.workloads.find((w) => w.kind === kind && w.namespace === m![1] && w.name === m![3]);
    if (!found) return notFound(`${m[2]}.apps "${m[3]}"`);
    const status =
      kind === 'DaemonSet'
        ? { desiredNumberScheduled: found.replicas, numberReady: found.readyReplicas }
        : { replicas: found.replicas, readyReplicas: found.readyReplicas };
    return {
      status: 200,
      body: { apiVersion: 'apps/v1', kind, metadata: { name: found.name, namespace: found.namespace }, status },
    };
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(path))) {
    const found = world.services.find((s) => s.namespace === m![1] && s.name === m![2]);
    if (!found) return notFound(`services "${m[2]}"`);
    return {
      status: 200,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: found.name, namespace: found.namespace } },
    };
  }
  if ((m = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/.exec(path))) {
    const items = world.services
      .filter((s) => s.namespace === m![1] && matchesSelector({ 'kubernetes.io/service-name': s.name }, selector))
      .map((s) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${s.name}-sim`, namespace: s.namespace, labels: { 'kubernetes.io/service-name': s.name } },
        addressType: 'IPv4',
        endpoints: s.readyEndpoints.map((address) => ({ addresses: [address], conditions: { ready: true } })),
      }));
    return { status: 200, body: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', metadata: {}, items } };
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
    const items = world.pods
      .filter((p) => p.namespace === m![1] && matchesSelector(p.labels, selector))
      .map((p) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
        spec: { containers: p.containers.map((name) => ({ name })) },
      }));
    return { status: 200, body: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items } };
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path))) {
    const pod = world.pods.find((p) => p.namespace === m![1] && p.name === m![2]);
    if (!pod) return notFound(`pods "${m[2]}"`);
    const container = query.get('container') ?? pod.containers[0];
    if (!container || !pod.containers.includes(container))
      return statusBody(400, 'BadRequest', `container ${container} is not valid for pod ${pod.name}`);
    const tail = Number(query.get('tailLines') ?? '0');
    const lines = pod.logs.split('\n').filter((line) => line !== '');
    const kept = tail > 0 ? lines.slice(-tail) : lines;
    return { status: 200, body: kept.map((line) => `${line}\n`).join('') };
  }
  if ((m = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/.exec(path))) {
    // `scheme:node:port`, as the API server's node proxy takes it.
    const [, node = '', port = ''] = /^(?:https?:)?([^:]+):(\d+)$/.exec(decodeURIComponent(m[1]!)) ?? [];
    if (!input.nodes.includes(node)) return notFound(`nodes "${node}"`);
    const answer = world.nodePorts[Number(port)];
    if (!answer)
      return statusBody(
        503,
        'ServiceUnavailable',
        `error trying to reach service: dial tcp ${node}:${port}: connect: connection refused`,
      );
    return { status: answer.status, body: answer.body };
  }
  return undefined;
}

/** One outcome ConfigMap per node whose VM runs: Succeeded, or the failure the simulator was told to play. */
function bootstrapOutcomes(input: TenantObjectsInput) {
  return input.nodes.map((node) => {
    const failure = input.state.bootstrapFailure?.node === node ? input.state.bootstrapFailure : undefined;
    const k = bootstrapOutcome.keys;
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: bootstrapOutcomeName(node),
        namespace: bootstrapOutcome.namespace,
        labels: { [bootstrapOutcome.label]: bootstrapOutcome.labelValue },
      },
      data: {
        [k.phase]: failure ? 'Failed' : 'Succeeded',
        [k.node]: node,
        [k.step]: failure ? failure.step : 'done',
        [k.message]: failure ? failure.message : '',
        [k.log]: `[simulator] ${failure ? `${failure.step}: ${failure.message}` : 'bootstrap complete'}\n`,
        [k.updatedAt]: '1970-01-01T00:00:00Z',
      },
    };
  });
}
