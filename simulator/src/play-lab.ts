// [simulator] What each catalog lab's tenant cluster looks like through its API, before and after the student's fix:
// the broken state the lab's setup script would create on real VMs (a NotReady worker for broken-kubelet, a kube-dns
// Service without endpoints for broken-dns, ...), so CI exercises readiness and grading end to end without VMs. Pure;
// answer-tenant-objects.ts renders it as Kubernetes objects. A lab it does not know plays a healthy cluster.

/** What the simulator has been told about one tenant (by a test, or the dev platform's control endpoint). */
export interface TenantScenarioState {
  /** The student fixed the lab. */
  solved: boolean;
  /** The bootstrap of one node reports this failure instead of success. */
  bootstrapFailure?: { node: string; step: string; message: string };
}

export interface SimulatedWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  replicas: number;
  readyReplicas: number;
}

export interface SimulatedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: string[];
  /** The same log for every container. */
  logs: string;
}

export interface SimulatedWorld {
  notReadyNodes: string[];
  workloads: SimulatedWorkload[];
  /** Services and the addresses of their ready endpoints. */
  services: { namespace: string; name: string; readyEndpoints: string[] }[];
  pods: SimulatedPod[];
  /** What a GET to a node port answers, on any node; a port not listed refuses the connection. */
  nodePorts: Record<number, { status: number; body: string }>;
}

export interface TenantNodeNames {
  controlPlane: string;
  workers: string[];
}

/** Pure: the tenant cluster of `labId` in `state`. */
export function playLab(labId: string | undefined, state: TenantScenarioState, nodes: TenantNodeNames): SimulatedWorld {
  const world = healthyCluster();
  const fixed = state.solved;
  switch (labId) {
    case 'broken-kubelet': {
      // The worker's kubelet is stopped and disabled: the node stays registered and goes NotReady; web's Pods wait.
      if (!fixed) world.notReadyNodes.push(...nodes.workers);
      world.workloads.push(deployment('default', 'web', 2, fixed ? 2 : 0));
      world.pods.push(...pods('default', 'web', { app: 'web' }, fixed ? 2 : 0, 'nginx', ''));
      return world;
    }
    case 'broken-dns': {
      // kube-dns selects no Pod (queries time out) and CoreDNS serves a misspelt zone: the frontend's calls fail.
      const kubeDns = world.services.find((s) => s.name === 'kube-dns')!;
      if (!fixed) kubeDns.readyEndpoints = [];
      world.workloads.push(deployment('shop', 'backend', 1, 1), deployment('shop', 'frontend', 1, 1));
      world.services.push({ namespace: 'shop', name: 'backend', readyEndpoints: ['10.244.1.20'] });
      const line = fixed ? 'backend OK' : 'backend FAILED';
      const logs = [1, 2, 3].map((i) => `2026-12-07T10:00:0${i}+00:00 ${line}\n`).join('');
      world.pods.push(...pods('shop', 'backend', { app: 'backend' }, 1, 'nginx', ''));
      world.pods.push(...pods('shop', 'frontend', { app: 'frontend' }, 1, 'caller', logs));
      return world;
    }
    case 'flask-debugging': {
      // A misspelt env var, a probe on a missing route and a Service on the wrong port: nothing answers on 30080.
      world.workloads.push(deployment('shop', 'shop-api', 2, fixed ? 2 : 0));
      world.services.push({
        namespace: 'shop',
        name: 'shop-api',
        readyEndpoints: fixed ? ['10.244.1.30', '10.244.1.31'] : [],
      });
      world.pods.push(
        ...pods('shop', 'shop-api', { app: 'shop-api' }, 2, 'api', fixed ? '' : "KeyError: 'SHOP_GREETING'\n"),
      );
      if (fixed)
        world.nodePorts[30080] = {
          status: 200,
          body: '{"items":["kubectl","kubeadm","etcd"],"message":"Welcome to the kubelabs shop"}\n',
        };
      return world;
    }
    default:
      // sandbox and any lab the simulator does not know: a fresh, healthy cluster.
      return world;
  }
}

function healthyCluster(): SimulatedWorld {
  return {
    notReadyNodes: [],
    workloads: [deployment('kube-system', 'coredns', 2, 2)],
    services: [{ namespace: 'kube-system', name: 'kube-dns', readyEndpoints: ['10.244.0.2', '10.244.0.3'] }],
    pods: pods('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 2, 'coredns', '[INFO] plugin/reload: Running\n'),
    nodePorts: {},
  };
}

function deployment(namespace: string, name: string, replicas: number, readyReplicas: number): SimulatedWorkload {
  return { kind: 'Deployment', namespace, name, replicas, readyReplicas };
}

function pods(
  namespace: string,
  app: string,
  labels: Record<string, string>,
  count: number,
  container: string,
  logs: string,
): SimulatedPod[] {
  return Array.from({ length: Math.max(count, 1) }, (_, i) => ({
    namespace,
    name: `${app}-7d4b9c6f5-${String.fromCharCode(97 + i)}x2lq`,
    labels,
    containers: [container],
    logs,
  }));
}
