// Stream and consumer set-up against the lane's nats-server: idempotent, and converging when the declaration changes.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { nanos } from '@nats-io/transport-node';
import { declareConsumers, declareStreams, type ConsumerSpec } from '@kubelabs/messaging';
import { ownTopology, type OwnTopology } from './testing/own-topology';

const natsUrl = inject('lanes').natsUrl;
let topo: OwnTopology;
afterEach(async () => topo.dispose());

describe('declareStreams / declareConsumers', () => {
  it('creates the default streams and a durable consumer once, and changes nothing when run twice', async () => {
    topo = await ownTopology(natsUrl);
    const consumer: ConsumerSpec = {
      stream: topo.eventsStream,
      durable: `enforcer-${topo.id}`,
      filterSubjects: ['claim.>'],
    };

    const first = [
      ...(await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix)),
      ...(await declareConsumers(topo.jsm, [consumer], topo.subjectPrefix)),
    ];
    const events = await topo.jsm.streams.info(topo.eventsStream);
    const durable = await topo.jsm.consumers.info(topo.eventsStream, consumer.durable);
    const second = [
      ...(await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix)),
      ...(await declareConsumers(topo.jsm, [consumer], topo.subjectPrefix)),
    ];

    expect(first.map((r) => r.action)).toEqual(['created', 'created', 'created']);
    expect(second.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const p = topo.subjectPrefix;
    expect(events.config).toMatchObject({
      subjects: [`${p}.tenant.>`, `${p}.claim.>`, `${p}.pool.>`, `${p}.lab.>`, `${p}.exposure.>`],
      storage: 'file',
      duplicate_window: nanos(120_000),
    });
    expect((await topo.jsm.streams.info(topo.deadletterStream)).config.subjects).toEqual([`${p}.deadletter.>`]);
    expect((await topo.jsm.streams.info(topo.eventsStream)).config).toEqual(events.config);
    expect((await topo.jsm.consumers.info(topo.eventsStream, consumer.durable)).config).toEqual(durable.config);
    expect(durable.config).toMatchObject({
      ack_policy: 'explicit',
      filter_subject: `${p}.claim.>`,
      max_deliver: 5 + 3,
    });
  });

  it('updates a stream or consumer whose declaration changed', async () => {
    topo = await ownTopology(natsUrl);
    const consumer: ConsumerSpec = {
      stream: topo.eventsStream,
      durable: `syncer-${topo.id}`,
      filterSubjects: ['tenant.ready'],
    };
    await declareStreams(topo.jsm, topo.streams, topo.subjectPrefix);
    await declareConsumers(topo.jsm, [consumer], topo.subjectPrefix);

    const [events] = topo.streams;
    const streamResult = await declareStreams(
      topo.jsm,
      [{ ...events!, subjects: [...events!.subjects, 'chat.>'] }],
      topo.subjectPrefix,
    );
    const consumerResult = await declareConsumers(
      topo.jsm,
      [{ ...consumer, filterSubjects: ['tenant.ready', 'tenant.deleted'], ackWaitMs: 5_000 }],
      topo.subjectPrefix,
    );

    expect(streamResult).toEqual([
      { kind: 'stream', name: topo.eventsStream, action: 'updated', changed: ['subjects'] },
    ]);
    expect(consumerResult[0]).toMatchObject({ action: 'updated' });
    expect(consumerResult[0]!.changed).toEqual(expect.arrayContaining(['ack_wait', 'filter_subjects']));
    const info = await topo.jsm.consumers.info(topo.eventsStream, consumer.durable);
    const p = topo.subjectPrefix;
    expect(info.config.filter_subjects).toEqual([`${p}.tenant.ready`, `${p}.tenant.deleted`]);
    expect(info.config.ack_wait).toBe(nanos(5_000));
    const again = await declareConsumers(
      topo.jsm,
      [{ ...consumer, filterSubjects: ['tenant.ready', 'tenant.deleted'], ackWaitMs: 5_000 }],
      topo.subjectPrefix,
    );
    expect(again[0]!.action).toBe('unchanged');
  });
});
