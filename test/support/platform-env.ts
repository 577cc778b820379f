// Per-test isolation on the shared lanes: each test gets its own NATS subject prefix (and so its own streams) and its
// own MongoDB database.
import { randomBytes } from 'node:crypto';
import type { LaneUrls } from '@kubelabs/testing';

export function isolatedEnv(lanes: LaneUrls, extra: Record<string, string> = {}): Record<string, string> {
  const id = randomBytes(4).toString('hex');
  const mongo = new URL(lanes.mongoUrl);
  mongo.pathname = `/t_${id}`;
  return {
    NATS_URL: lanes.natsUrl,
    MONGO_URL: mongo.toString(),
    KUBECONFIG: lanes.kubeconfigPath,
    NATS_SUBJECT_PREFIX: `t${id}`,
    LOG_LEVEL: 'info',
    ...extra,
  };
}
