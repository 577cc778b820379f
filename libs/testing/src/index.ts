// Test and development support: the backing-service lanes and bounded waiting helpers.
export { startLanes, type LaneUrls, type StartedLanes } from './lanes/start-lanes';
export { findFreePort, waitFor, startLaneProcess, type LaneProcess } from './lanes/lane-process';
export { repoRoot, cacheDir, laneBinary, laneVersions } from './lanes/lane-paths';
export { dockerAnswers } from './lanes/docker';
