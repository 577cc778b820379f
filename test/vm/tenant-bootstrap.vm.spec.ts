// The VM lane: tenants booted as real qemu VMs from the lane's node disk, with the provisioner's rendered cloud-init
// user data unchanged. Slow (minutes per tenant under software emulation), so it runs only with `npm run test:vm`.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLabFile } from '@kubelabs/catalog';
import { KubeConfig } from '@kubernetes/client-node';
import { runChecks } from '@kubelabs/checks';
import {
  bootstrapOutcome,
  parseBootstrapOutcome,
  planBootstrapProgress,
  type CheckResult,
  type Lab,
} from '@kubelabs/domain';
import { cacheDir, repoRoot, waitFor } from '@kubelabs/testing';
import { ensureNodeDisk, type NodeDisk } from '../support/vm-lane/node-disk';
import { startVmTenant, waitForBootstrapMarker, type VmTenant } from '../support/vm-lane/start-vm-tenant';

const run = promisify(execFile);
const bootstrapTimeoutMs = 40 * 60_000;
const kubeVersion = process.env.KUBE_VERSION ?? 'v1.36.3';
const kubectl = join(cacheDir(), 'vm', 'bin', `kubectl-${kubeVersion}`);
const figuresFile = join(repoRoot, 'reports', 'vm-figures.json');
const figures: Record<string, unknown> = {};

function catalogLab(id: string): Lab {
  const file = join(repoRoot, 'deploy/catalog', `${id}.yaml`);
  const parsed = parseLabFile(file, readFileSync(file, 'utf8'));
  if (!('lab' in parsed)) throw new Error(`${file} is not a valid lab`);
  return parsed.lab;
}

function record(name: string, value: unknown): void {
  figures[name] = value;
  mkdirSync(join(repoRoot, 'reports'), { recursive: true });
  writeFileSync(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[vm-figures] ${name}: ${JSON.stringify(value)}`);
}

interface NodeList {
  items: {
    metadata: { name: string };
    spec: { podCIDR?: string };
    status: { conditions: { type: string; status: string }[] };
  }[];
}

/** The student's kubeconfig as the claim API serves it: the forwarded port, TLS verified by the Service name. */
function kubeconfigOf(tenant: VmTenant): string {
  const path = join(tenant.workDir, 'kubeconfig');
  writeFileSync(
    path,
    tenant.seeds.kubeconfigVia(`https://127.0.0.1:${tenant.apiPort}`, `kube-api.${tenant.seeds.namespace}.svc`),
    { mode: 0o600 },
  );
  return path;
}

async function kubectlJson<T>(tenant: VmTenant, args: string[]): Promise<T> {
  const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfigOf(tenant), '--request-timeout=20s', ...args]);
  return JSON.parse(stdout) as T;
}

/** `kubectl get nodes` through the kubeconfig the claim API would serve. */
const listNodes = (tenant: VmTenant) => kubectlJson<NodeList>(tenant, ['get', 'nodes', '-o', 'json']);

/** The bootstrap outcome ConfigMaps, read and judged as the provisioner does (the same pure functions). */
async function bootstrapProgress(tenant: VmTenant) {
  const list = await kubectlJson<{ items: { data?: Record<string, string> }[] }>(tenant, [
    'get',
    'configmaps',
    '-n',
    bootstrapOutcome.namespace,
    '-l',
    `${bootstrapOutcome.label}=${bootstrapOutcome.labelValue}`,
    '-o',
    'json',
  ]);
  const outcomes = list.items.flatMap((item) => parseBootstrapOutcome(item.data) ?? []);
  return {
    outcomes: outcomes.toSorted((a, b) => a.node.localeCompare(b.node)),
    progress: planBootstrapProgress(
      outcomes,
      tenant.seeds.nodes.map((n) => n.hostname),
    ),
  };
}

const ready = (list: NodeList) =>
  Object.fromEntries(
    list.items.map((n) => [n.metadata.name, n.status.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown']),
  );

/** An IPv4 CIDR as a number and a prefix length. */
function parseCidr(cidr: string): { value: number; bits: number } {
  const [address, bits] = cidr.split('/');
  return { value: address!.split('.').reduce((n, octet) => n * 256 + Number(octet), 0), bits: Number(bits) };
}

/** Whether an IPv4 CIDR lies inside another. */
function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  const block = 2 ** (32 - b.bits);
  return a.bits >= b.bits && Math.floor(a.value / block) === Math.floor(b.value / block);
}

describe('tenants booted as VMs from the provisioner’s user data', () => {
  let disk: NodeDisk;
  let tenant: VmTenant | undefined;

  beforeAll(async () => {
    disk = await ensureNodeDisk();
    record('node disk build or cache check (s)', disk.buildSeconds);
  }, 4 * 3600_000);

  afterEach(async () => {
    await tenant?.stop();
    tenant = undefined;
  });

  it(
    'a bootstrap given a Kubernetes version the image does not ship stops at the version check and says so',
    async () => {
      const lab = { ...catalogLab('sandbox'), id: 'vm-wrong-version', kubernetesVersions: ['1.35'], setup: {} };
      tenant = await startVmTenant({ disk, lab, tenantId: 't-vm-wrong-version', kubernetesVersion: '1.35' });
      const [outcome] = await Promise.all(tenant.vms.map((vm) => waitForBootstrapMarker(vm, bootstrapTimeoutMs)));
      record('wrong version: boot to bootstrap.failed (s)', outcome!.seconds);
      expect(outcome!.state).toBe('failed');
      expect(outcome!.detail).toBe(`the image ships kubeadm ${kubeVersion}, the lab wants Kubernetes 1.35`);
    },
    bootstrapTimeoutMs,
  );

  it(
    'broken-kubelet on two VMs: the platform CA, the pre-minted join, both outcomes Succeeded, the worker NotReady as intended with its readiness checks holding, then repaired: both nodes Ready on the tenant pod subnet',
    async () => {
      const lab = catalogLab('broken-kubelet');
      // Not the default pod subnet: the image's flannel manifest must take the tenant's, or no node gets Ready.
      const podSubnet = '10.200.0.0/16';
      tenant = await startVmTenant({
        disk,
        lab,
        tenantId: 't-vm-broken-kubelet',
        kubernetesVersion: '1.36',
        renderOptions: { tenantNetworking: { podSubnet } },
      });
      const outcomes = await Promise.all(tenant.vms.map((vm) => waitForBootstrapMarker(vm, bootstrapTimeoutMs)));
      record(
        'two nodes: boot to bootstrap.complete per role (s)',
        Object.fromEntries(outcomes.map((o) => [tenant!.vms.find((vm) => vm.name === o.node)!.role, o.seconds])),
      );
      record(
        'two nodes: qemu boots needed per VM',
        Object.fromEntries(tenant.vms.map((vm) => [vm.role, vm.bootAttempts])),
      );
      expect(outcomes.map((o) => [o.node, o.state, o.detail])).toEqual(
        tenant.vms.map((vm) => [vm.name, 'complete', '']),
      );

      // What the provisioner reads: each node's outcome ConfigMap (the worker's written with the bootstrap token),
      // judged by the same pure functions. Broken on purpose, and still bootstrapped: the lab's setup ran on both.
      const { outcomes: reported, progress } = await bootstrapProgress(tenant);
      expect(reported).toEqual(
        tenant.seeds.nodes
          .map((n) => ({ node: n.hostname, phase: 'Succeeded', step: 'done', message: '' }))
          .toSorted((a, b) => a.node.localeCompare(b.node)),
      );
      expect(progress).toEqual({ state: 'succeeded', message: '2 nodes bootstrapped' });

      // Through the student's kubeconfig (the platform's CA: TLS verification proves kubeadm used the pre-minted CA):
      // both nodes registered; the worker's lease runs out 40 s after its kubelet stopped, then it is NotReady.
      const controlPlane = tenant.seeds.nodes.find((n) => n.role === 'control-plane')!.hostname;
      const worker = tenant.seeds.nodes.find((n) => n.role === 'worker')!.hostname;
      let nodes: NodeList | undefined;
      await waitFor(
        'the worker to go NotReady',
        async () => {
          nodes = await listNodes(tenant!);
          return ready(nodes)[worker] !== undefined && ready(nodes)[worker] !== 'True';
        },
        { timeoutMs: 10 * 60_000, intervalMs: 5000 },
      );
      expect(Object.keys(ready(nodes!)).sort()).toEqual([controlPlane, worker].sort());
      expect(ready(nodes!)[controlPlane]).toBe('True');

      // The lab's readiness checks, run by the platform's check runner through the tenant API: this tenant would join
      // the pool, broken as intended.
      const api = new KubeConfig();
      api.loadFromString(readFileSync(kubeconfigOf(tenant), 'utf8'));
      let results: CheckResult[] = [];
      await waitFor(
        'the readiness checks to hold',
        async () => {
          results = await runChecks(lab.checks?.readiness ?? [], { api, workerCount: 1, requestTimeoutMs: 20_000 });
          return results.every((r) => r.passed);
        },
        { timeoutMs: 5 * 60_000, intervalMs: 5000 },
      ).catch(() => undefined);
      expect(results.map((r) => [r.title, r.passed, r.message])).toEqual(
        results.map((r) => [r.title, true, r.message]),
      );
      expect(results).toHaveLength(3);

      // The student's repair, as the hints lead to it, on the worker (through the guest agent here, over SSH for a
      // student): the override file goes, the kubelet is enabled and started. The solution's node check then holds.
      const nodeSolution = (lab.checks?.solution ?? []).filter((check) => check.kind === 'node');
      expect(nodeSolution).toHaveLength(1);
      const before = await runChecks(nodeSolution, { api, workerCount: 1, requestTimeoutMs: 20_000 });
      const workerVm = tenant.vms.find((vm) => vm.role === 'worker')!;
      const fix = await workerVm.agent.exec('/bin/bash', [
        '-c',
        'rm -f /etc/default/kubelet && systemctl daemon-reload && systemctl enable --now kubelet',
      ]);
      expect(fix.exitCode, fix.stderr).toBe(0);
      let after: CheckResult[] = [];
      const fixedAt = Date.now();
      await waitFor(
        'the node solution check to hold after the repair',
        async () => {
          after = await runChecks(nodeSolution, { api, workerCount: 1, requestTimeoutMs: 20_000 });
          return after.every((r) => r.passed);
        },
        { timeoutMs: 5 * 60_000, intervalMs: 5000 },
      );
      record('broken-kubelet: repair to every node Ready (s)', Math.round((Date.now() - fixedAt) / 1000));
      expect(before.map((r) => r.passed)).toEqual([false]);
      expect(after.map((r) => r.passed)).toEqual([true]);
      // The web Pods (the other solution check) need nginx:1.27 from a registry, which this machine cannot reach.

      // Both nodes Ready, each with a pod range kubeadm carved from the tenant's subnet, which flannel routes.
      nodes = await listNodes(tenant);
      expect(ready(nodes)).toEqual({ [controlPlane]: 'True', [worker]: 'True' });
      for (const node of nodes.items)
        expect(cidrWithin(node.spec.podCIDR ?? '', podSubnet), `${node.metadata.name} ${node.spec.podCIDR}`).toBe(true);
      // flannel's pod on the repaired worker runs again once its kubelet has synced it (a few seconds after Ready).
      type PodList = { items: { spec: { nodeName: string }; status: { phase: string } }[] };
      let flannel: [string, string][] = [];
      await waitFor(
        'flannel running on both nodes',
        async () => {
          const pods = await kubectlJson<PodList>(tenant!, ['get', 'pods', '-n', 'kube-flannel', '-o', 'json']);
          flannel = pods.items.map((pod) => [pod.spec.nodeName, pod.status.phase]);
          return flannel.length === 2 && flannel.every(([, phase]) => phase === 'Running');
        },
        { timeoutMs: 3 * 60_000, intervalMs: 5000 },
      ).catch(() => undefined);
      expect(flannel.toSorted()).toEqual(
        [
          [controlPlane, 'Running'],
          [worker, 'Running'],
        ].toSorted(),
      );
    },
    bootstrapTimeoutMs + 25 * 60_000,
  );
});
