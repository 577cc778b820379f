// A Kubernetes API for tests and development: KUBECONFIG if set, else k3s in a container when Docker answers, else a
// local etcd + kube-apiserver + kube-controller-manager on loopback. KubeVirt's CRDs are installed where missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '@kubelabs/kube';
import { dockerAnswers } from './docker';
import { startEtcd } from './etcd-lane';
import { installKubeVirtCrds, startKubeApiServer } from './kube-api-server';
import { waitFor } from './lane-process';
import { laneVersions } from './lane-paths';
import type { Lane } from './nats-lane';

export interface KubeLane {
  readonly kind: Lane['kind'];
  readonly kubeconfigPath: string;
  /** The local lane's etcd, so tests can start tenant API servers on it under their own prefix. */
  readonly etcdUrl?: string;
  readonly timingsMs: Record<string, number>;
  stop(): Promise<void>;
}

const k3sImage = process.env.K3S_IMAGE ?? `rancher/k3s:${laneVersions.kube}-k3s1`;

async function hasKubeVirtCrds(client: KubeClient): Promise<boolean> {
  const names = ['virtualmachines.kubevirt.io', 'virtualmachineinstances.kubevirt.io'];
  for (const name of names) {
    const crd = await client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
    if (!crd) return false;
  }
  return true;
}

export async function startKubeLane(logDir: string): Promise<KubeLane> {
  const started = Date.now();
  if (process.env.KUBECONFIG) {
    const kubeconfigPath = process.env.KUBECONFIG;
    const client = KubeClient.create({ kubeconfigPath, fieldManager: 'kubelabs-lane' });
    await client.ping();
    // Never overwrite a real KubeVirt installation's CRDs; only add them to a cluster that has none.
    if (!(await hasKubeVirtCrds(client))) await installKubeVirtCrds(client);
    return {
      kind: 'environment',
      kubeconfigPath,
      // A lane started by `npm run lane -- up` also exports its etcd, for tests that start tenant API servers.
      ...(process.env.KUBELABS_ETCD_URL ? { etcdUrl: process.env.KUBELABS_ETCD_URL } : {}),
      timingsMs: { total: Date.now() - started },
      stop: async () => {},
    };
  }
  if (await dockerAnswers()) {
    const { K3sContainer } = await import('@testcontainers/k3s');
    const container = await new K3sContainer(k3sImage).start();
    const dir = mkdtempSync(join(tmpdir(), 'kubelabs-k3s-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, container.getKubeConfig(), { mode: 0o600 });
    const client = KubeClient.create({ kubeconfigPath, fieldManager: 'kubelabs-lane' });
    await waitFor('k3s to be ready', async () => (await client.ping(), true), { timeoutMs: 120_000 });
    await installKubeVirtCrds(client);
    return {
      kind: 'container',
      kubeconfigPath,
      timingsMs: { total: Date.now() - started },
      stop: async () => {
        await container.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const etcd = await startEtcd({ logDir });
  const etcdMs = Date.now() - started;
  try {
    const server = await startKubeApiServer({
      etcd,
      etcdPrefix: '/registry',
      logDir,
      withControllerManager: true,
      installKubeVirtCrds: true,
    });
    return {
      kind: 'local',
      kubeconfigPath: server.kubeconfigPath,
      etcdUrl: etcd.url,
      timingsMs: { etcd: etcdMs, ...server.timingsMs, total: Date.now() - started },
      stop: async () => {
        await server.stop();
        await etcd.stop();
      },
    };
  } catch (error) {
    await etcd.stop();
    throw error;
  }
}
