// Test and development support: the backing-service lanes and bounded waiting helpers.
export { startLanes, type LaneUrls, type StartedLanes } from './lanes/start-lanes';
export { findFreePort, waitFor, startLaneProcess, type LaneProcess } from './lanes/lane-process';
export { repoRoot, cacheDir, laneBinary, laneVersions, kubevirtCrdFiles, laneStateDir } from './lanes/lane-paths';
export { dockerAnswers } from './lanes/docker';
export { startMongoLane, pingMongo } from './lanes/mongo-lane';
export { startEtcd, type EtcdServer } from './lanes/etcd-lane';
export {
  startKubeApiServer,
  installKubeVirtCrds,
  type KubeApiServer,
  type StartKubeApiServerOptions,
} from './lanes/kube-api-server';
export { startKubeLane, type KubeLane } from './lanes/kube-lane';
export { writeLaneEnv, LaneEnvInUseError, type LaneEnvFile } from './lanes/lane-env';
export {
  superviseChildProcesses,
  spawnChild,
  signalChild,
  stopChild,
  stopChildProcessGroups,
  killChildProcessGroups,
} from './lanes/process-groups';
