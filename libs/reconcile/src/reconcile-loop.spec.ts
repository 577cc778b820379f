// The reconcile loop wires a queue, a watch, a poll and a resync for one reconciler; tested against the lane's
// kube-apiserver for the watch part.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Registry } from 'prom-client';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import { ReconcileLoop } from './reconcile-loop';

const suffix = () => randomBytes(4).toString('hex');

describe('ReconcileLoop', () => {
  let kube: KubeClient;
  const namespace = `loop-${suffix()}`;

  beforeAll(async () => {
    kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  it('reconciles keys from its watch, its poll, its resync (at start too) and direct enqueues, then stops cleanly', async () => {
    const passes: string[] = [];
    let resyncs = 0;
    const registry = new Registry();
    const loop = new ReconcileLoop(
      {
        name: 'loop-test',
        concurrency: 2,
        reconcile: async (key) => {
          passes.push(key);
        },
        watches: [
          {
            target: { apiVersion: 'v1', kind: 'ConfigMap', namespace, labelSelector: 'kubelabs.io/owner' },
            keysOf: ({ object }) => [`watched:${object.metadata?.labels?.['kubelabs.io/owner'] ?? ''}`],
          },
        ],
        poll: { everyMs: 100, keys: async () => ['polled'] },
        resync: {
          everyMs: 300,
          keys: async () => {
            resyncs++;
            return ['resynced'];
          },
        },
      },
      { kube, registry },
    );
    loop.start();
    await waitFor('the start-up resync', () => passes.includes('resynced'));
    await loop.synced();
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace, labels: { 'kubelabs.io/owner': 'tenant-a' } },
      data: { a: '1' },
    } as KubeObject);
    await waitFor('the watched key', () => passes.includes('watched:tenant-a'));
    await waitFor('the poll', () => passes.includes('polled'));
    await waitFor('a periodic resync', () => resyncs >= 3);
    await loop.enqueue('direct');
    expect(passes).toContain('direct');
    expect(await registry.metrics()).toMatch(
      /kubelabs_reconcile_passes_total\{controller="loop-test",result="success"\}/,
    );

    await loop.stop();
    const after = passes.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(passes.length).toBe(after);
    await expect(loop.enqueue('late')).resolves.toBeUndefined();
    expect(passes).not.toContain('late');
  });

  it('refuses watches without a Kubernetes client', () => {
    expect(
      () =>
        new ReconcileLoop({
          name: 'x',
          concurrency: 1,
          reconcile: async () => undefined,
          watches: [{ target: { apiVersion: 'v1', kind: 'ConfigMap' }, keysOf: () => [] }],
        }),
    ).toThrow(/watches need a KubeClient/);
  });
});
