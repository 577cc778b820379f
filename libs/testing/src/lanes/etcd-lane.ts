// etcd for the local Kubernetes lane, as controller-runtime's envtest runs it: a throwaway data directory, fsync off,
// client and peer ports picked free on loopback. Several kube-apiservers can share it under different prefixes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startLaneProcess } from './lane-process';
import { laneBinary } from './lane-paths';

export interface EtcdServer {
  /** Client URL, for kube-apiserver's --etcd-servers. */
  readonly url: string;
  stop(): Promise<void>;
}

async function answersHealthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return res.ok && ((await res.json()) as { health?: string }).health === 'true';
}

export async function startEtcd({ logDir, name = 'etcd' }: { logDir: string; name?: string }): Promise<EtcdServer> {
  const binary = laneBinary('etcd');
  const [clientPort, peerPort] = [await findFreePort(), await findFreePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelabs-etcd-'));
  const url = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const proc = await startLaneProcess({
    name,
    command: binary,
    args: [
      '--name',
      name,
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `${name}=${peerUrl}`,
      // Test data only: losing it on a crash is fine, and fsync would dominate the lane's latency.
      '--unsafe-no-fsync',
      // One member has no one to wait for: a short election timeout makes it leader (and ready) about a second sooner.
      '--heartbeat-interval',
      '20',
      '--election-timeout',
      '200',
      '--quota-backend-bytes',
      String(4 * 1024 ** 3),
    ],
    logDir,
    ready: () => answersHealthy(url),
  });
  return {
    url,
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
