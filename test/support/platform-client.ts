// Small helpers the end-to-end tests share: a JSON client for the claim API, waiting on pools, and reading the
// events a platform instance published on JetStream.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { PoolView } from '@kubelabs/contracts';
import type { Lab } from '@kubelabs/domain';
import { waitFor } from '@kubelabs/testing';
import { afterEach, inject } from 'vitest';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '../../simulator/src/run-platform';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  contentType: string;
  body: T;
}

export async function api<T = Record<string, unknown>>(
  platform: Pick<RunningPlatform, 'claimApiUrl' | 'apiKey'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const res = await fetch(`${platform.claimApiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${platform.apiKey}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : {}) as T,
  };
}

/** A row of GET /v1/pools, as contracts/openapi.json declares it. */
export type PoolRow = PoolView;

export async function pools(platform: RunningPlatform): Promise<PoolRow[]> {
  return (await api<PoolRow[]>(platform, 'GET', '/v1/pools')).body;
}

export async function waitForPoolsFull(platform: RunningPlatform, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'every pool to hold its minimum of ready tenants',
    async () => (await pools(platform)).every((p) => p.ready >= p.minReady),
    {
      timeoutMs,
      intervalMs: 250,
    },
  );
}

/** Events of one platform instance, as stored in its JetStream stream, oldest first. */
export async function storedEvents(
  platform: RunningPlatform,
  type?: string,
): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const nc = await connect({ servers: platform.env.NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `KUBELABS_EVENTS_${platform.instance.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const info = await jsm.streams.info(stream);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!msg) continue;
      const envelope = msg.json<{ type: string; data: Record<string, unknown> }>();
      if (!type || envelope.type === type) events.push({ type: envelope.type, data: envelope.data });
    }
    return events;
  } finally {
    await nc.close();
  }
}

export function testLab(
  id: string,
  overrides: { minReady: number; maxTotal: number; workers?: number; durationMinutes?: number },
): Lab {
  return {
    id,
    title: `Test lab ${id}`,
    description: 'A lab for end-to-end tests',
    level: 'beginner',
    hints: [],
    tags: ['test'],
    kubernetesVersions: ['1.36'],
    topology: {
      controlPlane: { cpu: 2, memoryMiB: 1536 },
      workers: { count: overrides.workers ?? 0, cpu: 1, memoryMiB: 1024 },
    },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    setup: {},
    session: { durationMinutes: overrides.durationMinutes ?? 60, maxExtensionMinutes: 30 },
    pool: { minReady: overrides.minReady, maxTotal: overrides.maxTotal },
  };
}

/**
 * A platform on the lanes for one test, stopped after it: `const lab = usePlatform(); ... platform = await lab.start({...})`.
 * Registers its own afterEach, so each test file only says what its platform holds.
 */
export function usePlatform(): { start(options: Partial<PlatformOptions>): Promise<RunningPlatform> } {
  let running: RunningPlatform | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  return {
    start: async (options) => {
      const lanes = inject('lanes');
      running = await startPlatform({
        natsUrl: lanes.natsUrl,
        mongoUrl: lanes.mongoUrl,
        kubeconfigPath: lanes.kubeconfigPath,
        ...options,
      });
      return running;
    },
  };
}

export const studentKey = (comment: string): string =>
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ${comment}`;
