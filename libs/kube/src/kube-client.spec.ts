import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError, KubeClient, type KubeObject } from '@kubelabs/kube';
import { findFreePort } from '@kubelabs/testing';

const suffix = () => randomBytes(4).toString('hex');

function virtualMachine(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace }, spec } as KubeObject;
}

const validSpec = {
  runStrategy: 'Halted',
  template: {
    metadata: { labels: { 'kubelabs.dev/tenant': 't1' } },
    spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } },
  },
};

describe('KubeClient against the lane API server', () => {
  let kube: KubeClient;
  const namespace = `kube-client-${suffix()}`;

  beforeAll(async () => {
    kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  it('answers a readiness ping', async () => {
    await expect(kube.ping()).resolves.toBeUndefined();
  });

  it('applies a Namespace server-side, and re-applying the same object changes nothing', async () => {
    const name = `apply-ns-${suffix()}`;
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubelabs.dev/test': 'yes' } } };
    const first = await kube.apply(ns);
    const second = await kube.apply(ns);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.metadata.managedFields?.some((f) => f.manager === 'kubelabs-test' && f.operation === 'Apply')).toBe(
      true,
    );
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  });

  it('merge-patches annotations and a status subresource, and never creates what is gone', async () => {
    const name = `patched-${suffix()}`;
    const ref = { apiVersion: 'v1', kind: 'Service', namespace, name };
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    const annotated = await kube.mergePatch<KubeObject>(ref, { metadata: { annotations: { 'kubelabs.io/x': 'y' } } });
    expect(annotated?.metadata.annotations?.['kubelabs.io/x']).toBe('y');
    await kube.mergePatch(
      ref,
      { status: { loadBalancer: { ingress: [{ hostname: 'labs.example.org' }] } } },
      {
        subresource: 'status',
      },
    );
    const read = await kube.get<KubeObject & { status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }>(
      ref,
    );
    expect(read?.status?.loadBalancer?.ingress).toEqual([{ hostname: 'labs.example.org' }]);
    const removed = await kube.mergePatch<KubeObject>(ref, { metadata: { annotations: { 'kubelabs.io/x': null } } });
    expect(removed?.metadata.annotations?.['kubelabs.io/x']).toBeUndefined();
    await kube.delete(ref);
    await expect(kube.mergePatch({ ...ref, name: `${name}-gone` }, { metadata: { labels: { a: 'b' } } })).resolves.toBe(
      undefined,
    );
  });

  it('applies a valid kubevirt.io/v1 VirtualMachine, and re-applying it is a no-op', async () => {
    const vm = virtualMachine(namespace, `vm-${suffix()}`, validSpec);
    const first = await kube.apply(vm);
    const second = await kube.apply(vm);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const read = await kube.get<KubeObject & { spec: typeof validSpec }>({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      namespace,
      name: vm.metadata.name,
    });
    expect(read?.spec.runStrategy).toBe('Halted');
  });

  it('surfaces a wrongly typed field rejected by the CRD schema as kube.invalid', async () => {
    const vm = virtualMachine(namespace, `vm-bad-${suffix()}`, { ...validSpec, runStrategy: 42 });
    const error = await kube.apply(vm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    // The API server says 500 here (kubernetes/kubernetes#139253); what matters to callers is the code.
    expect(error).toMatchObject({ code: 'kube.invalid' });
    expect((error as KubeApiError).message).toContain('.spec.runStrategy: expected string');
    await expect(
      kube.get({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', namespace, name: vm.metadata.name }),
    ).resolves.toBeUndefined();
  });

  it('surfaces a field the CRD schema does not declare as kube.invalid', async () => {
    const vm = virtualMachine(namespace, `vm-bad-${suffix()}`, { ...validSpec, replicas: 3 });
    await expect(kube.apply(vm)).rejects.toMatchObject({ code: 'kube.invalid' });
  });

  it('surfaces a missing required field rejected by the CRD schema as kube.invalid with the field', async () => {
    const vm = virtualMachine(namespace, `vm-bad-${suffix()}`, { runStrategy: 'Halted' });
    const error = await kube.apply(vm).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'kube.invalid', statusCode: 422, reason: 'Invalid' });
    expect((error as KubeApiError).causes.map((c) => c.field)).toContain('spec.template');
  });

  it('lists objects of a kind by label selector', async () => {
    const labelled = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${suffix()}`, namespace, labels: { pick: 'me' } },
    };
    const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${suffix()}`, namespace } };
    await kube.apply(labelled);
    await kube.apply(other);
    const listed = await kube.list('v1', 'ConfigMap', { namespace, labelSelector: 'pick=me' });
    expect(listed.map((o) => o.metadata?.name)).toEqual([labelled.metadata.name]);
  });

  it('treats getting or deleting an object that does not exist as absent, not as an error', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: `missing-${suffix()}` };
    await expect(kube.get(ref)).resolves.toBeUndefined();
    await expect(kube.delete(ref)).resolves.toBe(false);
  });

  it('deletes a namespace that still holds objects, and the namespace controller makes it go away', async () => {
    const name = `doomed-${suffix()}`;
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inside', namespace: name },
      data: { a: '1' },
    });
    await kube.apply(virtualMachine(name, 'inside-vm', validSpec));
    await expect(kube.delete({ apiVersion: 'v1', kind: 'Namespace', name })).resolves.toBe(true);
    await kube.waitForNamespaceGone(name, { timeoutMs: 60_000 });
    await expect(kube.get({ apiVersion: 'v1', kind: 'Namespace', name })).resolves.toBeUndefined();
  });

  it('reports an unreachable API server as kube.unreachable', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${await findFreePort()}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const offline = new KubeClient(config, 'kubelabs-test');
    await expect(offline.ping({ timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'kube.unreachable' });
    await expect(offline.get({ apiVersion: 'v1', kind: 'Namespace', name: 'x' })).rejects.toMatchObject({
      code: 'kube.unreachable',
    });
  });
});
