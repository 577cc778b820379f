// The relay's sent keys in a JetStream KV bucket on the lane's nats-server: a key is claimed once, across store
// instances (a restarted adapter, a second replica) and under a race; a key given back is claimed again; any notice
// key works although KV refuses most characters; the bucket is declared idempotently at start-up.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { KvSentKeys, renderSentKey, sentKeysBucket } from './kv-sent-keys';

const natsUrl = inject('lanes').natsUrl;
let nc: NatsConnection;
let bucket: string;

beforeEach(async () => {
  nc = await connect({ servers: natsUrl, name: 'kv-sent-keys-spec' });
  bucket = `chat_sent_spec_${randomBytes(4).toString('hex')}`;
});
afterEach(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
  await nc.close();
});

describe('KvSentKeys', () => {
  it('claims a key once, also for a second store on the same bucket, and again after it was forgotten', async () => {
    const sent = await KvSentKeys.open(nc, { bucket });
    const key = 'f3c1b1d2-8a4e-4b7c-9d1e-0a1b2c3d4e5f:c-ada-0001';

    expect(await sent.claim(key)).toBe(true);
    expect(await sent.claim(key)).toBe(false);
    // A restarted adapter: a new connection and a new store on the bucket the first one left.
    const other = await connect({ servers: natsUrl, name: 'kv-sent-keys-spec-restarted' });
    try {
      const restarted = await KvSentKeys.open(other, { bucket });
      expect(await restarted.claim(key)).toBe(false);
      expect(await restarted.claim(`${key}-another-claim`)).toBe(true);

      await sent.forget(key);
      expect(await restarted.claim(key)).toBe(true);
      expect(await sent.claim(key)).toBe(false);
      // Forgotten and claimed again, more than once (the delete marker's revision moves on each time).
      await restarted.forget(key);
      expect(await sent.claim(key)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('gives a key to exactly one of 50 concurrent claims, fresh and after a forget', async () => {
    const stores = await Promise.all(Array.from({ length: 5 }, () => KvSentKeys.open(nc, { bucket })));
    const race = () => Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.claim('e-1:c-1')));

    expect((await race()).filter(Boolean)).toHaveLength(1);
    await stores[0]!.forget('e-1:c-1');
    expect((await race()).filter(Boolean)).toHaveLength(1);
  });

  it('stores any notice key, including characters KV keys refuse, each under its own entry', async () => {
    const sent = await KvSentKeys.open(nc, { bucket });
    const keys = ['evt:c-1', 'evt:c-2', 'evt c-1', '.leading.dot', 'a*b>c', 'ünïcödé:🙂', 'x'.repeat(2_000), ''];
    expect(await Promise.all(keys.map((key) => sent.claim(key)))).toEqual(keys.map(() => true));
    expect(await Promise.all(keys.map((key) => sent.claim(key)))).toEqual(keys.map(() => false));
    expect(renderSentKey('evt:c-1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('declares its bucket idempotently: one entry per key for 24 h, and a drifted max age brought back', async () => {
    await KvSentKeys.open(nc, { bucket, ttlMs: 60_000 });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(`KV_${bucket}`)).config).toMatchObject({
      max_age: 60_000 * 1_000_000,
      max_msgs_per_subject: 1,
      num_replicas: 1,
    });

    const sent = await KvSentKeys.open(nc, { bucket });
    expect(await sent.claim('e-2:c-1')).toBe(true);
    await KvSentKeys.open(nc, { bucket });
    const config = (await jsm.streams.info(`KV_${bucket}`)).config;
    expect(config).toMatchObject({ max_age: 24 * 3600_000 * 1_000_000, max_msgs_per_subject: 1 });
    // Declaring again kept what was claimed.
    expect(await sent.claim('e-2:c-1')).toBe(false);
  });

  it('names one bucket per adapter and platform', () => {
    expect(sentKeysBucket('slack', '')).toBe('chat_sent_slack');
    expect(sentKeysBucket('discord', 'p0a1b2c3')).toBe('chat_sent_discord_p0a1b2c3');
  });
});
