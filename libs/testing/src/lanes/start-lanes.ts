// Brings up every backing service the platform needs (NATS, MongoDB wire, Kubernetes API), each from the first lane
// that is available, in parallel, and stops them all.
import { startNatsLane, type Lane } from './nats-lane';
import { startMongoLane } from './mongo-lane';
import { startKubeLane, type KubeLane } from './kube-lane';
import { buildLaneBinaries, type LaneBuildTarget } from './lane-paths';
import { dockerAnswers } from './docker';

export interface LaneUrls {
  natsUrl: string;
  mongoUrl: string;
  /** An admin kubeconfig for the Kubernetes API (KubeVirt's CRDs installed). */
  kubeconfigPath: string;
  /** The local Kubernetes lane's etcd, when known: tests start tenant API servers on it (startKubeApiServer). */
  etcdUrl?: string;
  /** Which lane each service came from, for reports and for tests that need to know what fidelity they get. */
  kinds: Record<'nats' | 'mongo' | 'kube', Lane['kind']>;
  /** Start-up time of each lane in milliseconds (the kube lane's by phase: kube.etcd, kube.apiserver, ...). */
  timingsMs: Record<string, number>;
}

export interface StartedLanes {
  urls: LaneUrls;
  stop(): Promise<void>;
}

async function timed<T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await start();
  return { value, ms: Date.now() - t0 };
}

/** What the local lanes will need built: services given no URL when no Docker engine answers. */
async function localBuildTargets(): Promise<LaneBuildTarget[]> {
  if (await dockerAnswers()) return [];
  return [
    ...(process.env.NATS_URL ? [] : (['nats'] as const)),
    ...(process.env.MONGO_URL ? [] : (['mongo'] as const)),
    ...(process.env.KUBECONFIG ? [] : (['etcd', 'kube'] as const)),
  ];
}

export async function startLanes({ logDir }: { logDir: string }): Promise<StartedLanes> {
  await buildLaneBinaries(await localBuildTargets());
  const [nats, mongo, kube] = await Promise.allSettled([
    timed(() => startNatsLane(logDir)),
    timed(() => startMongoLane(logDir)),
    timed(() => startKubeLane(logDir)),
  ]);
  const started = [nats, mongo, kube].flatMap((r) => (r.status === 'fulfilled' ? [r.value.value] : []));
  const stop = async (): Promise<void> => {
    const results = await Promise.allSettled(started.map((lane) => lane.stop()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  if (nats.status === 'rejected' || mongo.status === 'rejected' || kube.status === 'rejected') {
    await stop().catch(() => {});
    const reasons = [nats, mongo, kube].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    throw reasons.length === 1 ? reasons[0] : new AggregateError(reasons, 'several lanes failed to start');
  }
  const kubeLane: KubeLane = kube.value.value;
  return {
    urls: {
      natsUrl: nats.value.value.url,
      mongoUrl: mongo.value.value.url,
      kubeconfigPath: kubeLane.kubeconfigPath,
      ...(kubeLane.etcdUrl ? { etcdUrl: kubeLane.etcdUrl } : {}),
      kinds: { nats: nats.value.value.kind, mongo: mongo.value.value.kind, kube: kubeLane.kind },
      timingsMs: {
        nats: nats.value.ms,
        mongo: mongo.value.ms,
        ...Object.fromEntries(Object.entries(kubeLane.timingsMs).map(([phase, ms]) => [`kube.${phase}`, ms])),
      },
    },
    stop,
  };
}
