// Test support: every spec owns its subjects and streams (a random subject prefix and stream-name suffix), so specs
// run in parallel on one NATS server, and removes them afterwards.
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { defaultStreams, type StreamSpec } from '../topology';

export interface OwnTopology {
  id: string;
  subjectPrefix: string;
  streams: StreamSpec[];
  eventsStream: string;
  deadletterStream: string;
  /** A connection of the test's own, for looking at the server side. */
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Deletes the streams and closes the connection. */
  dispose(): Promise<void>;
}

export async function ownTopology(natsUrl: string): Promise<OwnTopology> {
  const id = randomBytes(4).toString('hex');
  const streams = defaultStreams({ nameSuffix: `_${id}` });
  const nc = await connect({ servers: natsUrl, name: `spec-${id}` });
  const jsm = await jetstreamManager(nc);
  return {
    id,
    subjectPrefix: `t${id}`,
    streams,
    eventsStream: streams[0]!.name,
    deadletterStream: streams[1]!.name,
    nc,
    jsm,
    dispose: async () => {
      for (const stream of streams) await jsm.streams.delete(stream.name).catch(() => false);
      await nc.close();
    },
  };
}

/** A promise and its resolver, for handlers that wait on the test. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
