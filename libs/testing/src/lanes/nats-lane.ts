// NATS with JetStream for tests and development: NATS_URL if set, else a container when Docker answers, else a
// nats-server built from the Go module proxy, started on a free loopback port with a throwaway store directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { findFreePort, startLaneProcess } from './lane-process';
import { laneBinary, laneVersions } from './lane-paths';
import { dockerAnswers } from './docker';

export interface Lane {
  readonly kind: 'environment' | 'container' | 'local';
  readonly url: string;
  stop(): Promise<void>;
}

export async function startNatsLane(logDir: string): Promise<Lane> {
  if (process.env.NATS_URL) return { kind: 'environment', url: process.env.NATS_URL, stop: async () => {} };
  if (await dockerAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer(`nats:${laneVersions.nats.replace(/^v/, '')}`)
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    return {
      kind: 'container',
      url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
      stop: async () => void (await container.stop()),
    };
  }
  const binary = laneBinary('nats-server');
  const port = await findFreePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'kubelabs-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  // The local lane keeps JetStream's default fsync interval (fast, not crash-durable); production sets
  // sync_interval: always with replicated streams (see deploy/).
  const proc = await startLaneProcess({
    name: 'nats-server',
    command: binary,
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '--server_name', 'kubelabs-lane'],
    logDir,
    ready: async () => {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
      await nc.close();
      return true;
    },
  });
  return {
    kind: 'local',
    url,
    stop: async () => {
      await proc.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
