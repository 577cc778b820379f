// Publishing events: envelope, JetStream de-duplication by event id, and refusing invalid payloads at the source.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { tenantReleasedFact, validateEvent } from '@kubelabs/contracts';
import { EventPublisher, MessagingError, createEnvelope, declareStreams } from '@kubelabs/messaging';
import { ownTopology, type OwnTopology } from './testing/own-topology';

const natsUrl = inject('lanes').natsUrl;
let topo: OwnTopology;
afterEach(async () => topo.dispose());

const shortOf = (possible: number) => ({
  labId: 'cka',
  kubernetesVersion: '1.36',
  wanted: 5,
  possible,
  reason: 'pool.max_total',
  observedAt: '2026-11-20T10:15:00.000Z',
});
const released = (reason: 'user' | 'expired', at: number) =>
  tenantReleasedFact({
    tenantId: 't-cka-1',
    claimId: 'c-1',
    labId: 'cka',
    kubernetesVersion: '1.36',
    reason,
    releasedAt: new Date(at),
  });

describe('EventPublisher', () => {
  it('de-duplicates a re-published event id within the duplicate window', async () => {
    topo = await ownTopology(natsUrl);
    await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix);
    const publisher = new EventPublisher(jetstream(topo.nc), {
      source: '/kubelabs/pool-manager',
      subjectPrefix: topo.subjectPrefix,
    });
    const envelope = createEnvelope('pool.capacity.short', shortOf(3), {
      source: '/kubelabs/pool-manager',
      subject: 'cka@1.36',
    });

    const first = await publisher.publishEnvelope(envelope);
    const again = await publisher.publishEnvelope(envelope);
    const other = await publisher.publish('pool.capacity.short', shortOf(4), { subject: 'cka@1.36' });

    expect(first).toMatchObject({ duplicate: false, seq: 1, id: envelope.id });
    expect(again).toMatchObject({ duplicate: true, seq: 1, id: envelope.id });
    expect(other).toMatchObject({ duplicate: false, seq: 2 });
    expect((await topo.jsm.streams.info(topo.eventsStream)).state.messages).toBe(2);
    const stored = await topo.jsm.streams.getMessage(topo.eventsStream, { seq: 1 });
    expect(stored?.json()).toEqual(envelope);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(envelope.id);
    expect(stored?.header.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('publishes a fact under its own id, so the same fact built twice is stored once', async () => {
    topo = await ownTopology(natsUrl);
    await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix);
    const publisher = new EventPublisher(jetstream(topo.nc), {
      source: '/kubelabs/claim-api',
      subjectPrefix: topo.subjectPrefix,
      validator: validateEvent,
    });

    const first = await publisher.publishFact(released('user', 1_000));
    // The pool manager releasing the same tenant a moment later announces the same fact.
    const again = await publisher.publishFact(released('expired', 2_000));

    expect(first).toMatchObject({ duplicate: false, id: released('user', 1_000).id, type: 'tenant.released' });
    expect(again).toMatchObject({ duplicate: true, id: first.id });
    const stored = await topo.jsm.streams.getMessage(topo.eventsStream, { seq: 1 });
    expect(stored?.json()).toMatchObject({ id: first.id, subject: 't-cka-1', data: { reason: 'user' } });
    expect((await topo.jsm.streams.info(topo.eventsStream)).state.messages).toBe(1);
  });

  it('refuses to publish a payload its validator rejects, and publishes nothing', async () => {
    topo = await ownTopology(natsUrl);
    await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix);
    const publisher = new EventPublisher(jetstream(topo.nc), {
      source: '/kubelabs/claim-api',
      subjectPrefix: topo.subjectPrefix,
      validator: (type, data) =>
        type === 'claim.requested' && typeof (data as { claimId?: unknown }).claimId !== 'string'
          ? 'claimId must be a string'
          : null,
    });

    // A payload the compiler would refuse, as an untyped caller (emit) could still send one.
    const error = await publisher.publish('claim.requested', { claimId: 42 } as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toMatchObject({ code: 'messaging.invalid_event' });
    expect((error as Error).message).toContain('claimId must be a string');
    expect((await topo.jsm.streams.info(topo.eventsStream)).state.messages).toBe(0);
  });
});
