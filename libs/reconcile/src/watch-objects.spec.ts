// watchObjects against the lane's real kube-apiserver, reached through a TCP relay the test controls, so the test can
// drop every connection (a server or load balancer that goes away) or freeze them (a watch that goes silent).
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import { planRelistChanges, watchObjects, type ObjectChange } from './watch-objects';
import { reconcileMetrics } from './reconcile-metrics';

const suffix = () => randomBytes(4).toString('hex');

/**
 * A TCP relay to the API server that can cut or freeze the connections it carries. TLS passes through untouched, so
 * it cannot read requests; it tells watch connections apart by their lifetime instead: a watch is a connection that
 * stays open, so the test waits for one that has lived a while.
 */
class Relay {
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly openedAt = new Map<Socket, number>();
  private server!: Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      this.openedAt.set(client, Date.now());
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
        this.openedAt.delete(client);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Cuts every connection now (new ones still go through). */
  dropAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Silences the connections open now: no byte reaches the client, nothing is closed. New connections work. */
  freezeExisting(): void {
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Connections open for at least `ms` (a watch, once the list before it has finished). */
  longLived(ms = 500): number {
    const now = Date.now();
    return [...this.openedAt.values()].filter((at) => now - at >= ms).length;
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function configMap(namespace: string, name: string, value = 'v'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { 'kubelabs.io/watch-test': 'yes' } },
    data: { value },
  } as KubeObject;
}

describe('planRelistChanges', () => {
  const object = (uid: string, resourceVersion: string) => ({ metadata: { uid, name: uid, resourceVersion } });
  it.each([
    { name: 'a new object is ADDED', known: [], listed: [object('a', '1')], expected: [['ADDED', 'a']] },
    {
      name: 'an unchanged object is not reported',
      known: [object('a', '1')],
      listed: [object('a', '1')],
      expected: [],
    },
    {
      name: 'a changed resourceVersion is MODIFIED',
      known: [object('a', '1')],
      listed: [object('a', '2')],
      expected: [['MODIFIED', 'a']],
    },
    { name: 'a missing object is DELETED', known: [object('a', '1')], listed: [], expected: [['DELETED', 'a']] },
  ])('$name', ({ known, listed, expected }) => {
    const map = new Map(known.map((o) => [o.metadata.uid, { resourceVersion: o.metadata.resourceVersion, object: o }]));
    expect(planRelistChanges(map, listed).map((c) => [c.type, c.object.metadata.uid])).toEqual(expected);
  });
});

describe('watchObjects against the lane API server', () => {
  let direct: KubeClient;
  const namespace = `watch-${suffix()}`;

  beforeAll(async () => {
    direct = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await direct.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await direct.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  /** A client that reaches the API server only through a fresh relay. */
  async function throughRelay(): Promise<{ kube: KubeClient; relay: Relay }> {
    const server = new URL(direct.config.getCurrentCluster()!.server);
    const relay = new Relay({ host: server.hostname, port: Number(server.port) });
    await relay.start();
    const config = new KubeConfig();
    config.loadFromString(direct.config.exportConfig());
    const cluster = config.getCurrentCluster()!;
    const relayed = { ...cluster, server: `${server.protocol}//${server.hostname}:${relay.port}` };
    config.loadFromOptions({
      clusters: [relayed],
      users: config.users,
      contexts: config.contexts,
      currentContext: config.currentContext,
    });
    return { kube: new KubeClient(config, 'kubelabs-test'), relay };
  }

  function collect() {
    const changes: ObjectChange[] = [];
    const seen = (type: string, name: string) =>
      changes.some((c) => c.type === type && c.object.metadata?.name === name);
    return { changes, seen, push: (change: ObjectChange) => changes.push(change) };
  }

  it('lists what exists, then reports additions, changes and deletions as they happen', async () => {
    const ns = `${namespace}`;
    await direct.apply(configMap(ns, 'before'));
    const got = collect();
    const watch = watchObjects(
      direct,
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, labelSelector: 'kubelabs.io/watch-test=yes' },
      got.push,
      { name: 'test-basic' },
    );
    await watch.synced;
    expect(got.seen('ADDED', 'before')).toBe(true);
    await direct.apply(configMap(ns, 'after'));
    await waitFor('ADDED after', () => got.seen('ADDED', 'after'));
    await direct.apply(configMap(ns, 'after', 'changed'));
    await waitFor('MODIFIED after', () => got.seen('MODIFIED', 'after'));
    await direct.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'after' });
    await waitFor('DELETED after', () => got.seen('DELETED', 'after'));
    expect(got.changes.filter((c) => c.relisted).map((c) => c.object.metadata?.name)).toEqual(['before']);
    watch.stop();
  });

  it('restarts after its server drops it, and reports what changed while it was away', async () => {
    const { kube, relay } = await throughRelay();
    const registry = new Registry();
    const metrics = reconcileMetrics(registry);
    const got = collect();
    const errors: string[] = [];
    const watch = watchObjects(
      kube,
      { apiVersion: 'v1', kind: 'ConfigMap', namespace, labelSelector: 'kubelabs.io/watch-test=yes' },
      got.push,
      { name: 'test-drop', metrics, backoff: { baseMs: 50, maxMs: 200 }, onError: (_e, c) => errors.push(c.reason) },
    );
    await watch.synced;
    await waitFor('the watch connection', () => relay.longLived() > 0);
    relay.dropAll();
    await direct.apply(configMap(namespace, `while-down-${suffix()}`));
    const name = `after-drop-${suffix()}`;
    await direct.apply(configMap(namespace, name));
    await waitFor('the change made after the drop', () => got.seen('ADDED', name), { timeoutMs: 15_000 });
    // client-node reports a cut connection either as an error or as an early end: both restart the watch.
    expect(errors.some((reason) => reason === 'dropped' || reason === 'error')).toBe(true);
    expect(await registry.metrics()).toMatch(
      /kubelabs_watch_restarts_total\{watch="test-drop",reason="(dropped|error)"\} [1-9]/,
    );
    watch.stop();
    await relay.stop();
  });

  it('notices a watch that went silent, restarts it and catches up', async () => {
    const { kube, relay } = await throughRelay();
    const got = collect();
    const reasons: string[] = [];
    const watch = watchObjects(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace }, got.push, {
      name: 'test-stall',
      serverTimeoutSeconds: 1,
      stallGraceMs: 1_000,
      backoff: { baseMs: 50, maxMs: 200 },
      onError: (_e, c) => reasons.push(c.reason),
    });
    await watch.synced;
    await waitFor('the watch connection', () => relay.longLived() > 0);
    relay.freezeExisting();
    const name = `during-stall-${suffix()}`;
    await direct.apply(configMap(namespace, name));
    await waitFor('the change made while the watch was silent', () => got.seen('ADDED', name), { timeoutMs: 15_000 });
    expect(reasons).toContain('stalled');
    watch.stop();
    await relay.stop();
  });

  it('relists on its period, finding a deletion its watch never delivered', async () => {
    const { kube, relay } = await throughRelay();
    const name = `relist-${suffix()}`;
    await direct.apply(configMap(namespace, name));
    const got = collect();
    const registry = new Registry();
    const watch = watchObjects(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace }, got.push, {
      name: 'test-relist',
      relistEveryMs: 1_500,
      // No stall detection within this test: only the periodic relist can find the change.
      serverTimeoutSeconds: 600,
      stallGraceMs: 600_000,
      metrics: reconcileMetrics(registry),
    });
    await watch.synced;
    expect(got.seen('ADDED', name)).toBe(true);
    await waitFor('the watch connection', () => relay.longLived() > 0);
    relay.freezeExisting();
    await direct.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
    await waitFor('the relist to report the deletion', () => got.seen('DELETED', name), { timeoutMs: 15_000 });
    const deletion = got.changes.find((c) => c.type === 'DELETED' && c.object.metadata?.name === name);
    expect(deletion?.relisted).toBe(true);
    expect(await registry.metrics()).toMatch(
      /kubelabs_watch_restarts_total\{watch="test-relist",reason="relist"\} [1-9]/,
    );
    expect(watch.staleness()).toBeLessThan(5_000);
    watch.stop();
    await relay.stop();
  });
});
