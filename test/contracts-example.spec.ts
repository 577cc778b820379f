// The integrators' example (contracts/examples/follow-events.mjs) run as a reader would run it, against the lane's
// NATS: it creates its durable consumer, receives only the types it asked for, once each even when published twice,
// and a second run resumes after what the first acknowledged. So the documented example cannot rot.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '@kubelabs/testing';

const example = join(repoRoot, 'contracts', 'examples', 'follow-events.mjs');

function runExample(
  env: Record<string, string>,
): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [example], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, lines, stderr });
    });
  });
}

describe('the durable consumer example in contracts/examples', () => {
  const id = randomBytes(4).toString('hex');
  const prefix = `ex${id}`;
  const stream = `KUBELABS_EVENTS_EX${id.toUpperCase()}`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: inject('lanes').natsUrl });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.tenant.>`, `${prefix}.claim.>`],
      duplicate_window: 120_000_000_000,
    });
  });

  afterAll(async () => {
    await jsm?.streams.delete(stream).catch(() => false);
    await nc?.close();
  });

  async function publish(type: string, data: Record<string, unknown>, eventId: string = randomUUID()): Promise<string> {
    const envelope = {
      specversion: '1.0',
      id: eventId,
      source: '/kubelabs/test',
      type,
      subject: String(data.tenantId ?? data.claimId),
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    };
    await jetstream(nc).publish(`${prefix}.${type}`, JSON.stringify(envelope), { msgID: eventId });
    return eventId;
  }

  it('follows the asked-for types once each, and resumes where it left off', async () => {
    const claimed = await publish('tenant.claimed', { tenantId: 't-a', claimId: 'c-a' });
    await publish('tenant.ready', { tenantId: 't-b' }); // not asked for
    const released = await publish('tenant.released', { tenantId: 't-a', claimId: 'c-a' });
    await publish('tenant.released', { tenantId: 't-a', claimId: 'c-a' }, released); // a publisher's retry

    const env = {
      NATS_URL: inject('lanes').natsUrl,
      NATS_SUBJECT_PREFIX: prefix,
      STREAM: stream,
      DURABLE: `example-${id}`,
      EVENT_TYPES: 'tenant.claimed,tenant.released',
      IDLE_EXIT_MS: '1500',
    };
    const first = await runExample(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.lines.map((line) => [line.id, line.type])).toEqual([
      [claimed, 'tenant.claimed'],
      [released, 'tenant.released'],
    ]);
    const info = await jsm.consumers.info(stream, `example-${id}`);
    expect(info.config.durable_name).toBe(`example-${id}`);
    expect(info.num_ack_pending).toBe(0);

    const later = await publish('tenant.claimed', { tenantId: 't-c', claimId: 'c-c' });
    const second = await runExample(env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.lines.map((line) => line.id)).toEqual([later]);
  });
});
