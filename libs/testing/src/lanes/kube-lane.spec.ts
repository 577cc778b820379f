import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '@kubelabs/kube';
import { startEtcd, type EtcdServer } from './etcd-lane';
import { startKubeApiServer, type KubeApiServer } from './kube-api-server';
import { repoRoot } from './lane-paths';

describe('Kubernetes lane', () => {
  it('serves KubeVirt VirtualMachines on the kubeconfig it hands to tests', async () => {
    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await expect(kube.list('kubevirt.io/v1', 'VirtualMachine')).resolves.toBeInstanceOf(Array);
    await expect(kube.list('kubevirt.io/v1', 'VirtualMachineInstance')).resolves.toBeInstanceOf(Array);
  });

  describe('tenant API servers on one etcd', () => {
    const logDir = join(repoRoot, '.lane', 'test-logs');
    let ownEtcd: EtcdServer | undefined;
    const servers: KubeApiServer[] = [];

    beforeAll(async () => {
      mkdirSync(logDir, { recursive: true });
      // Reuse the lane's etcd when it has one (local lane); a container or external cluster does not expose it.
      const laneEtcd = inject('lanes').etcdUrl;
      const etcd = laneEtcd
        ? { url: laneEtcd }
        : (ownEtcd = await startEtcd({ logDir, name: `etcd-${randomBytes(3).toString('hex')}` }));
      const id = randomBytes(4).toString('hex');
      servers.push(
        ...(await Promise.all(
          ['a', 'b'].map((t) => startKubeApiServer({ etcd, etcdPrefix: `/tenant-${t}-${id}`, logDir })),
        )),
      );
      for (const s of servers)
        console.info(`tenant API server ${s.etcdPrefix} started in ${JSON.stringify(s.timingsMs)}`);
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await ownEtcd?.stop();
    });

    it('keeps the objects of two API servers with different etcd prefixes apart', async () => {
      const [a, b] = servers.map((s) =>
        KubeClient.create({ kubeconfigPath: s.kubeconfigPath, fieldManager: 'kubelabs-test' }),
      );
      const name = `only-in-a-${randomBytes(4).toString('hex')}`;
      await a!.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      expect(await a!.get({ apiVersion: 'v1', kind: 'Namespace', name })).toBeDefined();
      expect(await b!.get({ apiVersion: 'v1', kind: 'Namespace', name })).toBeUndefined();
      const namesInB = (await b!.list('v1', 'Namespace')).map((ns) => ns.metadata?.name);
      expect(namesInB).toContain('default');
      expect(namesInB).not.toContain(name);
    });
  });
});
