import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applySet, KubeClient, type KubeObject } from '@kubelabs/kube';

const suffix = () => randomBytes(4).toString('hex');

describe('applySet against the lane API server', () => {
  let kube: KubeClient;
  const namespace = `apply-set-${suffix()}`;
  const setLabel = 'kubelabs.io/test-set';
  const scope = {
    selector: `${setLabel}=one`,
    kinds: [
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { apiVersion: 'v1', kind: 'Service' },
    ],
    namespace,
  };
  const configMap = (name: string, labels: Record<string, string> = { [setLabel]: 'one' }): KubeObject =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { a: name } }) as KubeObject;
  const names = async () =>
    (await kube.list('v1', 'ConfigMap', { namespace }))
      .map((o) => o.metadata?.name)
      .filter((n) => n !== 'kube-root-ca.crt');

  beforeAll(async () => {
    kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  it('applies the desired objects, prunes the set members no longer desired, and leaves everything else alone', async () => {
    await kube.apply(configMap('foreign', { other: 'x' }));
    await applySet(kube, [configMap('a'), configMap('b')], scope);
    expect((await names()).sort()).toEqual(['a', 'b', 'foreign']);

    const result = await applySet(kube, [configMap('b')], scope);
    expect(result.pruned.map((p) => p.name)).toEqual(['a']);
    expect((await names()).sort()).toEqual(['b', 'foreign']);

    // An empty set prunes every member, and re-running changes nothing.
    expect((await applySet(kube, [], scope)).pruned.map((p) => p.name)).toEqual(['b']);
    expect((await applySet(kube, [], scope)).pruned).toEqual([]);
    expect(await names()).toEqual(['foreign']);
  });

  it('restores a member that was edited by hand', async () => {
    await applySet(kube, [configMap('kept')], scope);
    const someoneElse = new KubeClient(kube.config, 'kubectl-edit');
    await someoneElse.apply({ ...configMap('kept'), data: { a: 'edited' } } as KubeObject);
    await applySet(kube, [configMap('kept')], scope);
    const kept = await kube.get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'kept',
    });
    expect(kept?.data.a).toBe('kept');
  });
});
