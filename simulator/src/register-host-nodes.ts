// [simulator] Host cluster Nodes for a lane that has no kubelet: the pool manager reads the nodes' allocatable memory
// and CPU to plan capacity, so the simulator registers a few bare-metal-sized Node objects (labelled as simulated).
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';

export interface HostNodeOptions {
  count?: number;
  cpu?: number;
  memoryGi?: number;
  namePrefix?: string;
  labels?: Record<string, string>;
}

export async function registerHostNodes(
  kubeconfig: KubeConfig | string,
  options: HostNodeOptions = {},
): Promise<string[]> {
  const { count = 3, cpu = 32, memoryGi = 64, namePrefix = 'simulated-host', labels = {} } = options;
  let kc: KubeConfig;
  if (typeof kubeconfig === 'string') {
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
  } else kc = kubeconfig;
  const api = kc.makeApiClient(CoreV1Api);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${namePrefix}-${i}`;
    names.push(name);
    const capacity = { cpu: String(cpu), memory: `${memoryGi}Gi`, pods: '250' };
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { ...labels, 'simulator.kubelabs.io/simulated': 'true', 'kubernetes.io/hostname': name },
      },
    };
    try {
      await api.createNode({ body: node });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
    const current = await api.readNode({ name });
    current.status = {
      ...current.status,
      capacity,
      allocatable: capacity,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: '[simulator] simulated host node',
          lastHeartbeatTime: new Date(),
          lastTransitionTime: new Date(),
        },
      ],
    };
    await api.replaceNodeStatus({ name, body: current });
  }
  return names;
}
