// [simulator] The simulated tenant API's answers, from VirtualMachines alone: pure, no server.
import { describe, expect, it } from 'vitest';
import { answerTenantApi, type TenantLookup } from './answer-tenant-api';
import type { VirtualMachine } from './virtual-machine';

const options = { defaultKubernetesVersion: 'v1.36.0' };

function vm(name: string, role: string, printableStatus: string, hostname?: string): VirtualMachine {
  return {
    metadata: {
      name,
      namespace: 'kubelabs-t1',
      uid: `uid-${name}`,
      labels: { 'kubelabs.io/kubernetes-version': '1.35' },
    },
    spec: {
      runStrategy: 'Always',
      template: { metadata: { labels: { 'kubelabs.io/node-role': role } }, spec: hostname ? { hostname } : {} },
    },
    status: {
      printableStatus,
      conditions: [
        {
          type: 'Ready',
          status: printableStatus === 'Running' ? 'True' : 'False',
          lastTransitionTime: '2026-11-20T10:00:00Z',
        },
      ],
    },
  };
}

const tenants =
  (vms: VirtualMachine[]): TenantLookup =>
  (namespace) =>
    namespace === 'kubelabs-t1' ? vms : undefined;

describe('answerTenantApi', () => {
  it('lists one Ready Node per Running VM, named after the guest hostname, and leaves failed and booting guests out', () => {
    const lookup = tenants([
      vm('t1-cp', 'control-plane', 'Running', 'controlplane'),
      vm('t1-w1', 'worker', 'Running', 'node01'),
      vm('t1-w2', 'worker', 'CrashLoopBackOff', 'node02'),
      vm('t1-w3', 'worker', 'Starting', 'node03'),
    ]);
    const answer = answerTenantApi('GET', '/tenants/kubelabs-t1/api/v1/nodes', lookup, options);
    expect(answer.status).toBe(200);
    const list = answer.body as {
      kind: string;
      items: Array<{
        metadata: { name: string; labels: Record<string, string> };
        status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } };
      }>;
    };
    expect(list.kind).toBe('NodeList');
    expect(list.items.map((node) => node.metadata.name)).toEqual(['controlplane', 'node01']);
    expect(
      list.items.every((node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')),
    ).toBe(true);
    expect(list.items[0]?.metadata.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
    expect(list.items[0]?.status.nodeInfo.kubeletVersion).toBe('v1.35.0');
  });

  it('reports the tenant Kubernetes version from the VMs label', () => {
    const answer = answerTenantApi(
      'GET',
      '/tenants/kubelabs-t1/version',
      tenants([vm('t1-cp', 'control-plane', 'Running')]),
      options,
    );
    expect(answer).toMatchObject({
      status: 200,
      body: { major: '1', minor: '35', gitVersion: 'v1.35.0', platform: 'linux/amd64' },
    });
  });

  it('answers 503 while the control plane is not running, even if a worker is', () => {
    const lookup = tenants([vm('t1-cp', 'control-plane', 'Starting'), vm('t1-w1', 'worker', 'Running')]);
    expect(answerTenantApi('GET', '/tenants/kubelabs-t1/version', lookup, options).status).toBe(503);
    expect(answerTenantApi('GET', '/tenants/kubelabs-t1/api/v1/nodes', lookup, options).status).toBe(503);
  });

  it('answers 404 with a Kubernetes Status for an unknown namespace or path', () => {
    const lookup = tenants([vm('t1-cp', 'control-plane', 'Running')]);
    expect(answerTenantApi('GET', '/tenants/kubelabs-nope/version', lookup, options)).toMatchObject({
      status: 404,
      body: { kind: 'Status', code: 404 },
    });
    expect(answerTenantApi('GET', '/tenants/kubelabs-t1/apis/apps/v1', lookup, options).status).toBe(404);
    expect(answerTenantApi('GET', '/elsewhere', lookup, options).status).toBe(404);
  });

  it('answers its own /healthz and the tenant readyz, and refuses writes', () => {
    const lookup = tenants([vm('t1-cp', 'control-plane', 'Running')]);
    expect(answerTenantApi('GET', '/healthz', lookup, options)).toEqual({ status: 200, body: 'ok' });
    expect(answerTenantApi('GET', '/tenants/kubelabs-t1/readyz?verbose', lookup, options).status).toBe(200);
    expect(answerTenantApi('POST', '/tenants/kubelabs-t1/api/v1/nodes', lookup, options).status).toBe(405);
  });
});
