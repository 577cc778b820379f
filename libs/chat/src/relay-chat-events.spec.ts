// ChatEventRelay's send-once protocol on a real JetStream KV bucket: an event delivered again to another relay (a
// restarted adapter, a second replica) sends nothing twice, and a failed send is tried again by the redelivery. The
// notifier is a stand-in returning fixed notices (what it looks up is ChatNotifier's own business); `send` plays the
// chat provider.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { KvSentKeys } from './kv-sent-keys';
import type { Notice } from './notify-chat-users';
import { ChatEventRelay } from './relay-chat-events';
import type { ChatEvent } from './render-chat-message';

const natsUrl = inject('lanes').natsUrl;
let nc: NatsConnection;
let bucket: string;

beforeEach(async () => {
  nc = await connect({ servers: natsUrl, name: 'relay-chat-events-spec' });
  bucket = `chat_sent_spec_${randomBytes(4).toString('hex')}`;
});
afterEach(async () => {
  await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => false);
  await nc.close();
});

const event = { type: 'tenant.released', data: { labId: 'intro' } } as unknown as ChatEvent;

/** Notices for `users`, keyed as ChatNotifier keys them: (event, claim). */
const noticesFor = (users: string[]) => ({
  noticesFor: (_: ChatEvent, eventId: string): Promise<Notice[]> =>
    Promise.resolve(
      users.map((user): Notice => ({
        identity: { provider: 'slack', team: 'T0KUBELABS', user },
        claim: {
          id: `c-${user.toLowerCase()}`,
          state: 'released',
          labId: 'intro',
          userId: user,
          kubernetesVersion: '1.36',
        },
        message: { text: `Your lab *intro* was released (${user}).`, lines: [], actions: [] },
        key: `${eventId}:c-${user.toLowerCase()}`,
      })),
    ),
});

describe('ChatEventRelay', () => {
  it('sends each message of an event once when the event reaches a second relay on the same bucket', async () => {
    const users = ['U0ADA', 'U0GRACE', 'U0LINUS'];
    const sent: string[] = [];
    const send = (notice: Notice) => {
      sent.push(notice.identity.user);
      return Promise.resolve();
    };
    const eventId = randomUUID();
    const first = new ChatEventRelay(noticesFor(users), await KvSentKeys.open(nc, { bucket }), send);
    expect(await first.relay(event, eventId)).toBe(3);

    // The adapter restarted: a new relay on a new connection, handed the same event again.
    const other = await connect({ servers: natsUrl, name: 'relay-chat-events-spec-restarted' });
    try {
      const restarted = new ChatEventRelay(noticesFor(users), await KvSentKeys.open(other, { bucket }), send);
      expect(await restarted.relay(event, eventId)).toBe(0);
      // Another event, handed to both at once (a redelivery while the first is still at work): each message once.
      const next = randomUUID();
      const counts = await Promise.all([first.relay(event, next), restarted.relay(event, next)]);
      expect(counts[0] + counts[1]).toBe(3);
    } finally {
      await other.close();
    }
    expect(sent.toSorted()).toEqual([...users, ...users].toSorted());
  });

  it('fails the delivery when a send fails, and the redelivery sends that message only', async () => {
    const users = ['U0ADA', 'U0GRACE'];
    const sent: string[] = [];
    let grace = 'down';
    const send = (notice: Notice) => {
      if (notice.identity.user === 'U0GRACE' && grace === 'down')
        return Promise.reject(new Error('503 from the provider'));
      sent.push(notice.identity.user);
      return Promise.resolve();
    };
    const eventId = randomUUID();
    const relay = new ChatEventRelay(noticesFor(users), await KvSentKeys.open(nc, { bucket }), send);
    await expect(relay.relay(event, eventId)).rejects.toThrow('503 from the provider');
    expect(sent).toEqual(['U0ADA']);

    grace = 'up';
    const restarted = new ChatEventRelay(noticesFor(users), await KvSentKeys.open(nc, { bucket }), send);
    expect(await restarted.relay(event, eventId)).toBe(1);
    expect(sent).toEqual(['U0ADA', 'U0GRACE']);
    expect(await restarted.relay(event, eventId)).toBe(0);
  });
});
