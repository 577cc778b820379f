// [simulator] The simulator against the real kube lane (kube-apiserver with KubeVirt's CRDs, no KubeVirt): each test
// owns a namespace and a tenant label, and runs its own simulator scoped to that label.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '@kubelabs/testing';
import { KubeVirtSimulator, type KubeVirtSimulatorOptions } from './kubevirt-simulator';
import type { VirtualMachine, VirtualMachineInstance } from './virtual-machine';

const group = { group: 'kubevirt.io', version: 'v1' } as const;
let config: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const namespaces: string[] = [];
const simulators: KubeVirtSimulator[] = [];

beforeAll(() => {
  config = new KubeConfig();
  config.loadFromFile(inject('lanes').kubeconfigPath);
  core = config.makeApiClient(CoreV1Api);
  custom = config.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await Promise.all(simulators.map((simulator) => simulator.stop()));
  await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => {})));
});

/** A fresh tenant namespace labelled as the provisioner labels them, and a simulator that plays only its VMs. */
async function tenant(options: Partial<KubeVirtSimulatorOptions> = {}) {
  const id = `sim-${randomBytes(4).toString('hex')}`;
  const namespace = `kubelabs-${id}`;
  const labels = { 'app.kubernetes.io/managed-by': 'kubelabs', 'kubelabs.io/tenant': id };
  await core.createNamespace({ body: { metadata: { name: namespace, labels } } });
  namespaces.push(namespace);
  const logs: string[] = [];
  const simulator = new KubeVirtSimulator({
    kubeconfig: config,
    bootMs: 300,
    pollMs: 50,
    labelSelector: `kubelabs.io/tenant=${id}`,
    log: (line) => logs.push(line),
    ...options,
  });
  simulators.push(simulator);
  await simulator.start();

  const createVm = async (name: string, role: 'control-plane' | 'worker', hostname: string): Promise<void> => {
    const vmLabels = { ...labels, 'kubelabs.io/kubernetes-version': '1.35', 'kubelabs.io/node-role': role };
    await custom.createNamespacedCustomObject({
      ...group,
      namespace,
      plural: 'virtualmachines',
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        metadata: { name, labels: vmLabels },
        spec: {
          runStrategy: 'Always',
          template: {
            metadata: { labels: vmLabels },
            spec: { hostname, domain: { memory: { guest: '1Gi' }, devices: {} } },
          },
        },
      },
    });
  };
  const getVm = async (name: string): Promise<VirtualMachine> =>
    (await custom.getNamespacedCustomObject({
      ...group,
      namespace,
      plural: 'virtualmachines',
      name,
    })) as VirtualMachine;
  const listVmis = async (): Promise<VirtualMachineInstance[]> =>
    (
      (await custom.listNamespacedCustomObject({ ...group, namespace, plural: 'virtualmachineinstances' })) as {
        items: VirtualMachineInstance[];
      }
    ).items;
  const tenantApi = (path: string) =>
    fetch(`${simulator.tenantApiUrlTemplate.replace('{namespace}', namespace)}${path}`);
  const waitForStatus = (name: string, printableStatus: string) =>
    waitFor(
      `${namespace}/${name} to be ${printableStatus}`,
      async () => (await getVm(name)).status?.printableStatus === printableStatus,
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
  return { id, namespace, simulator, logs, createVm, getVm, listVmis, tenantApi, waitForStatus };
}

describe('KubeVirtSimulator', () => {
  it('boots the VMs of a fresh tenant through Starting to Running and ready, no sooner than bootMs', async () => {
    const t = await tenant();
    const created = Date.now();
    await t.createVm(`${t.id}-cp`, 'control-plane', 'controlplane');
    await t.createVm(`${t.id}-w1`, 'worker', 'node01');
    await t.waitForStatus(`${t.id}-cp`, 'Running');
    await t.waitForStatus(`${t.id}-w1`, 'Running');
    expect(Date.now() - created).toBeGreaterThanOrEqual(300);

    const vm = await t.getVm(`${t.id}-cp`);
    expect(vm.status).toMatchObject({ created: true, ready: true, printableStatus: 'Running' });
    expect(vm.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'True', lastTransitionTime: expect.any(String) }),
        expect.objectContaining({ type: 'AgentConnected', status: 'True' }),
      ]),
    );
    expect(t.logs).toContain(`[simulator] VirtualMachine ${t.namespace}/${t.id}-cp is Starting (GuestNotRunning)`);
    expect(t.logs).toContain(`[simulator] VirtualMachine ${t.namespace}/${t.id}-cp is Running`);
    await waitFor(
      'a Running VMI per VM',
      async () => (await t.listVmis()).filter((vmi) => vmi.status?.phase === 'Running').length === 2,
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    );
  });

  it('fails every VM with GuestBootFailed when failRatio is 1, and their tenant API stays down', async () => {
    const t = await tenant({ failRatio: 1 });
    await t.createVm(`${t.id}-cp`, 'control-plane', 'controlplane');
    await t.createVm(`${t.id}-w1`, 'worker', 'node01');
    await t.waitForStatus(`${t.id}-cp`, 'CrashLoopBackOff');
    await t.waitForStatus(`${t.id}-w1`, 'CrashLoopBackOff');

    const vm = await t.getVm(`${t.id}-w1`);
    expect(vm.status).toMatchObject({ created: true, ready: false });
    expect(vm.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'GuestBootFailed',
        message: expect.stringMatching(/^\[simulator\] /),
      }),
    ]);
    expect((await t.tenantApi('/api/v1/nodes')).status).toBe(503);
    expect(await t.listVmis()).toEqual([]);
  });

  it('serves the Ready Nodes of a tenant whose VMs run on its tenant API', async () => {
    const t = await tenant();
    await t.createVm(`${t.id}-cp`, 'control-plane', 'controlplane');
    await t.createVm(`${t.id}-w1`, 'worker', 'node01');
    await t.waitForStatus(`${t.id}-cp`, 'Running');
    await t.waitForStatus(`${t.id}-w1`, 'Running');

    let nodes: {
      items: Array<{ metadata: { name: string }; status: { conditions: Array<{ type: string; status: string }> } }>;
    } = { items: [] };
    await waitFor(
      'two nodes on the tenant API',
      async () => {
        const response = await t.tenantApi('/api/v1/nodes');
        if (response.status !== 200) return false;
        nodes = (await response.json()) as typeof nodes;
        return nodes.items.length === 2;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(nodes.items.map((node) => node.metadata.name)).toEqual(['controlplane', 'node01']);
    expect(
      nodes.items.every((node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')),
    ).toBe(true);

    const version = await t.tenantApi('/version');
    expect(version.status).toBe(200);
    expect(await version.json()).toMatchObject({ major: '1', minor: '35', gitVersion: 'v1.35.0' });
    expect(
      (await fetch(t.simulator.tenantApiUrlTemplate.replace('{namespace}', 'kubelabs-unknown') + '/version')).status,
    ).toBe(404);
  });

  it('stops a Running VM whose runStrategy becomes Halted and removes its VMI', async () => {
    const t = await tenant({ bootMs: 0 });
    const name = `${t.id}-w1`;
    await t.createVm(name, 'worker', 'node01');
    await t.waitForStatus(name, 'Running');
    await custom.patchNamespacedCustomObject(
      { ...group, namespace: t.namespace, plural: 'virtualmachines', name, body: { spec: { runStrategy: 'Halted' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await t.waitForStatus(name, 'Stopped');
    expect((await t.getVm(name)).status).toMatchObject({ ready: false, created: false });
    await waitFor('the VMI to be gone', async () => (await t.listVmis()).length === 0, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  });

  it('forgets the VMs of a tenant namespace once it is deleted', async () => {
    const t = await tenant({ bootMs: 0 });
    await t.createVm(`${t.id}-cp`, 'control-plane', 'controlplane');
    await t.waitForStatus(`${t.id}-cp`, 'Running');
    await waitFor('the tenant API to answer', async () => (await t.tenantApi('/version')).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(t.simulator.knownVirtualMachines()).toEqual([`${t.namespace}/${t.id}-cp`]);

    await core.deleteNamespace({ name: t.namespace });
    await waitFor('the simulator to forget the tenant', () => t.simulator.knownVirtualMachines().length === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect((await t.tenantApi('/version')).status).toBe(404);
  });
});
