// [simulator] Every catalog lab, played by the stand-in tenant API over real HTTP and graded by the platform's own check
// code (@kubelabs/checks): broken as intended (readiness holds, solution checks fail with their hints), then solved
// (every solution check passes), and the bootstrap outcomes it reports, success or a failure it was told to play.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDirectory } from '@kubelabs/catalog';
import { getTenantObject, runChecks } from '@kubelabs/checks';
import { readinessChecksOf, tenantNodeNames, type Lab } from '@kubelabs/domain';
import { tenantClusterConfig } from '@kubelabs/kube';
import { startTenantApiServer, type TenantApiServer } from './tenant-api-server';
import { TenantScenarios } from './tenant-scenarios';
import type { VirtualMachine } from './virtual-machine';

// The API client needs credentials to build its config; the stand-in serves plain http and ignores them.
const credentials = { caCertificatePem: '', adminCertificatePem: '', adminKeyPem: '' };

function vmsOf(lab: Lab, namespace: string): VirtualMachine[] {
  const names = tenantNodeNames(lab.topology.workers.count);
  const vm = (hostname: string, role: string): VirtualMachine => ({
    metadata: {
      name: `${namespace}-${hostname}`,
      namespace,
      uid: `uid-${namespace}-${hostname}`,
      labels: { 'kubelabs.io/lab': lab.id, 'kubelabs.io/kubernetes-version': '1.36' },
    },
    spec: {
      runStrategy: 'Always',
      template: { metadata: { labels: { 'kubelabs.io/node-role': role } }, spec: { hostname } },
    },
    status: { printableStatus: 'Running', ready: true },
  });
  return [vm(names.controlPlane, 'control-plane'), ...names.workers.map((name) => vm(name, 'worker'))];
}

let labs: Lab[] = [];
let server: TenantApiServer;
const scenarios = new TenantScenarios();
const tenants = new Map<string, VirtualMachine[]>();

beforeAll(async () => {
  const catalog = await loadCatalogDirectory('deploy/catalog');
  expect(catalog.errors).toEqual([]);
  labs = catalog.labs;
  server = await startTenantApiServer(
    0,
    (namespace) => tenants.get(namespace),
    { defaultKubernetesVersion: 'v1.36.0', scenarioOf: (namespace, labId) => scenarios.stateOf(namespace, labId) },
    scenarios,
  );
});

afterAll(() => server?.close());

function target(lab: Lab, namespace: string) {
  tenants.set(namespace, vmsOf(lab, namespace));
  return {
    api: tenantClusterConfig({ server: server.urlTemplate.replace('{namespace}', namespace), ...credentials }),
    workerCount: lab.topology.workers.count,
    requestTimeoutMs: 3_000,
  };
}

describe('the stand-in tenant API plays each catalog lab', () => {
  it('declares readiness and solution checks for every lab, and plays four labs', () => {
    expect(labs.map((lab) => lab.id).toSorted()).toEqual([
      'broken-dns',
      'broken-kubelet',
      'flask-debugging',
      'sandbox',
    ]);
    for (const lab of labs) expect(lab.checks?.solution?.length, lab.id).toBeGreaterThan(0);
  });

  it.each(['broken-dns', 'broken-kubelet', 'flask-debugging'])(
    '%s: broken as intended, its solution checks fail with hints, and pass once the student fixed it',
    async (labId) => {
      const lab = labs.find((l) => l.id === labId)!;
      const namespace = `kubelabs-t-${labId}`;
      const to = target(lab, namespace);

      const readiness = await runChecks(readinessChecksOf(lab), to);
      expect(readiness.filter((r) => !r.passed)).toEqual([]);
      const before = await runChecks(lab.checks!.solution!, to);
      expect(before.filter((r) => r.passed).map((r) => r.title)).toEqual([]);
      for (const [i, result] of before.entries()) expect(result.hint).toBe(lab.checks!.solution![i]!.hint);

      // The control endpoint a human uses on the dev platform.
      const solved = await fetch(`${server.urlTemplate.split('/tenants/')[0]}/simulator/tenants/${namespace}/solve`, {
        method: 'POST',
      });
      expect(solved.status).toBe(200);
      const after = await runChecks(lab.checks!.solution!, to);
      expect(after.filter((r) => !r.passed)).toEqual([]);
      expect(after.every((r) => r.hint === undefined)).toBe(true);
    },
  );

  it('sandbox: the default readiness (every node Ready) and its solution hold from the start', async () => {
    const lab = labs.find((l) => l.id === 'sandbox')!;
    const to = target(lab, 'kubelabs-t-sandbox');
    expect(readinessChecksOf(lab)).toEqual([{ kind: 'node', state: 'Ready', title: 'every node is Ready' }]);
    expect((await runChecks(readinessChecksOf(lab), to)).every((r) => r.passed)).toBe(true);
    expect((await runChecks(lab.checks!.solution!, to)).every((r) => r.passed)).toBe(true);
  });

  it('reports every node bootstrapped, or the failure it was told to play for the next tenant of a lab', async () => {
    const lab = labs.find((l) => l.id === 'broken-kubelet')!;
    type Outcomes = { items: { metadata: { name: string }; data: Record<string, string> }[] };
    const outcomes = async (namespace: string) =>
      (await getTenantObject<Outcomes>(
        target(lab, namespace).api,
        '/api/v1/namespaces/kube-system/configmaps?labelSelector=kubelabs.io%2Fbootstrap-outcome%3Dtrue',
        3_000,
      ))!.items.map((cm) => [cm.metadata.name, cm.data.phase, cm.data.step]);

    expect(await outcomes('kubelabs-t-ok')).toEqual([
      ['kubelabs-bootstrap-controlplane', 'Succeeded', 'done'],
      ['kubelabs-bootstrap-node01', 'Succeeded', 'done'],
    ]);
    scenarios.failBootstrap('broken-kubelet', { node: 'node01', step: 'kubeadm join', message: 'timed out' });
    expect(await outcomes('kubelabs-t-fails')).toEqual([
      ['kubelabs-bootstrap-controlplane', 'Succeeded', 'done'],
      ['kubelabs-bootstrap-node01', 'Failed', 'kubeadm join'],
    ]);
    // Sticky for that tenant, and used up: the next tenant (the rebuild) succeeds.
    expect((await outcomes('kubelabs-t-fails'))[1]![1]).toBe('Failed');
    expect((await outcomes('kubelabs-t-rebuilt'))[1]![1]).toBe('Succeeded');

    // The same through the dev platform's control endpoint; a body that is not JSON is refused.
    const control = `${server.urlTemplate.split('/tenants/')[0]}/simulator/labs/broken-kubelet/bootstrap-failures`;
    const told = await fetch(control, {
      method: 'POST',
      body: JSON.stringify({ node: 'controlplane', step: 'kubeadm init', message: 'preflight failed', count: 1 }),
    });
    expect(told.status).toBe(202);
    expect(await told.json()).toEqual({ labId: 'broken-kubelet', pending: 1 });
    expect((await outcomes('kubelabs-t-cp-fails'))[0]).toEqual([
      'kubelabs-bootstrap-controlplane',
      'Failed',
      'kubeadm init',
    ]);
    expect((await fetch(control, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await fetch(control, { method: 'GET' })).status).toBe(405);
  });
});
