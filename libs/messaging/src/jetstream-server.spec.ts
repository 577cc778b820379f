// The JetStream transport end to end: a real Nest microservice on the lane's nats-server, each test with its own
// streams, consumer and subject prefix.
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { waitFor } from '@kubelabs/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { TenantReady } from '@kubelabs/contracts';
import {
  EventPublisher,
  JetStreamClientProxy,
  JetStreamContext,
  JetStreamExceptionFilter,
  JetStreamServer,
  TerminalEventError,
  createEnvelope,
  readDeadLetter,
  type ConsumerSpec,
  type JetStreamServerOptions,
} from '@kubelabs/messaging';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';
import { gate, ownTopology, type OwnTopology } from './testing/own-topology';

interface Probe {
  onTenantReady(data: unknown, ctx: JetStreamContext): Promise<unknown> | unknown;
}

function tenantEventsModule(probe: Probe) {
  @Controller()
  class TenantEvents {
    // <string>: Nest 12's typed-events overload would reject a typed context parameter.
    @EventPattern<string>('tenant.ready')
    onReady(@Payload() data: unknown, @Ctx() ctx: JetStreamContext) {
      return probe.onTenantReady(data, ctx);
    }
  }
  @Module({ controllers: [TenantEvents] })
  class TenantEventsModule {}
  return TenantEventsModule;
}

/** A whole tenant.ready payload (publish is typed by the contract); the handlers here look at tenantId only. */
function readyPayload(tenantId: string): TenantReady {
  return {
    tenantId,
    labId: 'spec',
    kubernetesVersion: '1.36',
    namespace: `kubelabs-${tenantId}`,
    readyAt: '2026-11-20T10:15:00.000Z',
  };
}

const natsUrl = inject('lanes').natsUrl;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
});

interface Started {
  topo: OwnTopology;
  app: INestMicroservice;
  server: JetStreamServer;
  durable: string;
  publisher: EventPublisher;
}

async function start(
  probe: Probe,
  consumer: Partial<ConsumerSpec> = {},
  options: Partial<JetStreamServerOptions> = {},
): Promise<Started> {
  const topo = await ownTopology(natsUrl);
  cleanups.push(() => topo.dispose());
  const durable = `provisioner-${topo.id}`;
  const server = new JetStreamServer({
    servers: natsUrl,
    subjectPrefix: topo.subjectPrefix,
    streams: topo.streams,
    consumers: [
      {
        stream: topo.eventsStream,
        durable,
        filterSubjects: ['tenant.ready'],
        ackWaitMs: 1_000,
        maxDeliver: 3,
        backoff: { initialMs: 50, factor: 2, maxMs: 200 },
        ...consumer,
      },
    ],
    ...options,
  });
  const app = await NestFactory.createMicroservice(tenantEventsModule(probe), { strategy: server, logger: false });
  app.useGlobalFilters(new JetStreamExceptionFilter());
  await app.listen();
  cleanups.push(() => app.close());
  const publisher = new EventPublisher(jetstream(topo.nc), {
    source: '/kubelabs/spec',
    subjectPrefix: topo.subjectPrefix,
  });
  return { topo, app, server, durable, publisher };
}

async function deadLetterOf({ topo, durable }: Started) {
  const subject = `${topo.subjectPrefix}.deadletter.${durable}`;
  let stored: Awaited<ReturnType<typeof topo.jsm.streams.getMessage>> = null;
  await waitFor(`a dead letter on ${subject}`, async () => {
    stored = await topo.jsm.streams.getMessage(topo.deadletterStream, { last_by_subj: subject }).catch(() => null);
    return stored !== null;
  });
  return readDeadLetter(stored!);
}

async function consumerSettled({ topo, durable }: Started, ackFloor: number) {
  await waitFor(`consumer ${durable} to ack up to ${ackFloor}`, async () => {
    const info = await topo.jsm.consumers.info(topo.eventsStream, durable);
    return info.ack_floor.stream_seq === ackFloor && info.num_ack_pending === 0;
  });
  return topo.jsm.consumers.info(topo.eventsStream, durable);
}

describe('JetStreamServer', () => {
  it('delivers an event emitted through the Nest client to its @EventPattern handler via a durable consumer, then acks it', async () => {
    const seen: Array<{ data: unknown; type: string; id: string; subject?: string; deliveries: number }> = [];
    const started = await start({
      onTenantReady: async (data, ctx) => {
        seen.push({
          data,
          type: ctx.type,
          id: ctx.envelope.id,
          subject: ctx.envelope.subject,
          deliveries: ctx.deliveryCount,
        });
      },
    });
    const client = new JetStreamClientProxy({
      servers: natsUrl,
      subjectPrefix: started.topo.subjectPrefix,
      source: '/kubelabs/pool-manager',
    });
    cleanups.push(() => client.close());
    const envelope = createEnvelope(
      'tenant.ready',
      { tenantId: 'tn-1' },
      { source: '/kubelabs/provisioner', subject: 'tn-1' },
    );
    const ack = await firstValueFrom(client.emit('tenant.ready', envelope));

    await waitFor('the handler to run', () => seen.length === 1);
    expect(ack).toMatchObject({ stream: started.topo.eventsStream, seq: 1, duplicate: false, id: envelope.id });
    expect(seen).toEqual([
      { data: { tenantId: 'tn-1' }, type: 'tenant.ready', id: envelope.id, subject: 'tn-1', deliveries: 1 },
    ]);
    const info = await consumerSettled(started, 1);
    expect(info.config.durable_name).toBe(started.durable);
    expect(started.server.counters()).toMatchObject({ delivered: 1, acked: 1, naked: 0 });
    expect(started.server.health()).toMatchObject({ connected: true, ready: true });
  });

  it('redelivers an event after its handler failed, and acks it once the handler succeeds', async () => {
    const deliveries: number[] = [];
    const started = await start({
      onTenantReady: async (_data, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) throw new Error('kube api briefly unavailable');
      },
    });
    await started.publisher.publish('tenant.ready', readyPayload('tn-2'), { subject: 'tn-2' });

    await consumerSettled(started, 1);
    expect(deliveries).toEqual([1, 2]);
    expect(started.server.counters()).toMatchObject({ delivered: 2, naked: 1, acked: 1, deadlettered: 0 });
  });

  it('dead-letters an event with the failure reason after maxDeliver failed deliveries, then terminates it', async () => {
    let calls = 0;
    const started = await start(
      {
        onTenantReady: async () => {
          calls += 1;
          throw new Error('tenant namespace stuck terminating');
        },
      },
      { maxDeliver: 3 },
    );
    const { id } = await started.publisher.publish('tenant.ready', readyPayload('tn-3'));

    const letter = await deadLetterOf(started);
    expect(letter).toMatchObject({
      reason: 'tenant namespace stuck terminating',
      originalSubject: `${started.topo.subjectPrefix}.tenant.ready`,
      stream: started.topo.eventsStream,
      streamSequence: 1,
      deliveries: 3,
      consumer: started.durable,
    });
    expect(letter.envelope).toMatchObject({ id, type: 'tenant.ready', data: { tenantId: 'tn-3' } });
    const info = await consumerSettled(started, 1);
    expect(calls).toBe(3);
    expect(info.config.max_deliver).toBeGreaterThanOrEqual(3);
    expect(started.server.counters()).toMatchObject({ naked: 2, deadlettered: 1, termed: 1 });
  });

  it('terminates an invalid payload with the reason in a dead letter and never calls the handler', async () => {
    let calls = 0;
    const started = await start(
      { onTenantReady: () => void (calls += 1) },
      {},
      {
        validator: (type, data) =>
          type === 'tenant.ready' && !(data as { tenantId?: unknown }).tenantId ? 'tenantId is required' : null,
      },
    );
    const js = jetstream(started.topo.nc);
    await js.publish(
      `${started.topo.subjectPrefix}.tenant.ready`,
      JSON.stringify(createEnvelope('tenant.ready', { name: 'x' }, { source: '/spec' })),
    );

    const letter = await deadLetterOf(started);
    expect(letter.reason).toBe('invalid tenant.ready payload: tenantId is required');
    expect(letter.deliveries).toBe(1);
    await consumerSettled(started, 1);
    expect(calls).toBe(0);
    expect(started.server.counters()).toMatchObject({ delivered: 1, termed: 1, deadlettered: 1, acked: 0, naked: 0 });
  });

  it('terminates a message that is not an envelope at all, with the reason', async () => {
    let calls = 0;
    const started = await start({ onTenantReady: () => void (calls += 1) });
    await jetstream(started.topo.nc).publish(`${started.topo.subjectPrefix}.tenant.ready`, 'not json {');

    const letter = await deadLetterOf(started);
    expect(letter.reason).toBe('invalid envelope: payload is not valid JSON');
    expect(new TextDecoder().decode(letter.data)).toBe('not json {');
    await consumerSettled(started, 1);
    expect(calls).toBe(0);
  });

  it('dead-letters on the first delivery when the handler throws a TerminalEventError', async () => {
    let calls = 0;
    const started = await start({
      onTenantReady: () => {
        calls += 1;
        throw new TerminalEventError('lab template no longer exists', 'lab.not_found');
      },
    });
    await started.publisher.publish('tenant.ready', readyPayload('tn-4'));

    const letter = await deadLetterOf(started);
    expect(letter).toMatchObject({ reason: 'lab.not_found: lab template no longer exists', deliveries: 1 });
    await consumerSettled(started, 1);
    expect(calls).toBe(1);
  });

  it('keeps a handler slower than ack_wait alive with working() and runs it exactly once', async () => {
    const ackWaitMs = 600;
    const runs: number[] = [];
    const started = await start(
      {
        onTenantReady: async (_data, ctx) => {
          runs.push(ctx.deliveryCount);
          // The behaviour under test is a handler that outlives its ack deadline several times over.
          await delay(ackWaitMs * 4);
        },
      },
      { ackWaitMs },
    );
    await started.publisher.publish('tenant.ready', readyPayload('tn-5'));

    const info = await consumerSettled(started, 1);
    expect(runs).toEqual([1]);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
    expect(started.server.counters()).toMatchObject({ delivered: 1, acked: 1 });
  });

  it('hands the publisher trace context to the handler through the message headers', async () => {
    const traces: Array<string | undefined> = [];
    const started = await start({ onTenantReady: (_data, ctx) => void traces.push(ctx.trace?.traceparent) });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await started.publisher.publish('tenant.ready', readyPayload('tn-6'), {
      trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    // A publisher outside any trace starts one; its id must arrive unchanged too.
    const h = natsHeaders();
    h.set('traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
    await jetstream(started.topo.nc).publish(
      `${started.topo.subjectPrefix}.tenant.ready`,
      JSON.stringify(createEnvelope('tenant.ready', { tenantId: 'tn-7' }, { source: '/spec' })),
      { headers: h },
    );

    await waitFor('both events handled', () => traces.length === 2);
    expect(traces[0]).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(traces[0]).not.toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(traces[1]).toBe(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
  });

  it('puts its durable consumer back and keeps consuming when the consumer is deleted under it', async () => {
    const handled: string[] = [];
    const statuses: string[] = [];
    const started = await start({
      onTenantReady: (data) => void handled.push((data as { tenantId: string }).tenantId),
    });
    started.server.on('consumer', (event) => statuses.push(event.kind));
    await started.publisher.publish('tenant.ready', readyPayload('before'));
    await waitFor('the first event', () => handled.length === 1);

    await started.topo.jsm.consumers.delete(started.topo.eventsStream, started.durable);
    await waitFor('the consumer to be declared again', async () =>
      started.topo.jsm.consumers.info(started.topo.eventsStream, started.durable).then(
        () => true,
        () => false,
      ),
    );
    await started.publisher.publish('tenant.ready', readyPayload('after'));

    await waitFor('the event published after the deletion', () => handled.includes('after'));
    expect(statuses).toContain('pull_failed');
    expect(started.server.health().ready).toBe(true);
  });

  it('refuses to start, naming the consumer, when its stream is not declared', async () => {
    const topo = await ownTopology(natsUrl);
    cleanups.push(() => topo.dispose());
    const server = new JetStreamServer({
      servers: natsUrl,
      subjectPrefix: topo.subjectPrefix,
      streams: topo.streams,
      consumers: [{ stream: `NOPE_${topo.id}`, durable: `orphan-${topo.id}`, filterSubjects: ['tenant.ready'] }],
    });
    const app = await NestFactory.createMicroservice(tenantEventsModule({ onTenantReady: () => undefined }), {
      strategy: server,
      logger: false,
    });

    const error = await app.listen().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'messaging.setup_failed' });
    expect((error as Error).message).toContain(`declaring consumer orphan-${topo.id} on stream NOPE_${topo.id}`);
    expect(server.isConnected()).toBe(false);
    await app.close();
  });

  it('close() stops pulling, waits for the running handler to finish and ack, then drains the connection', async () => {
    const release = gate();
    const order: string[] = [];
    let running = false;
    const started = await start({
      onTenantReady: async () => {
        running = true;
        await release.promise;
        order.push('handler finished');
      },
    });
    await started.publisher.publish('tenant.ready', readyPayload('tn-8'));
    await waitFor('the handler to start', () => running);

    const closed = started.app.close().then(() => order.push('closed'));
    await waitFor('pulling to stop', () => started.server.health().consumers.every((c) => !c.pulling));
    expect(order).toEqual([]);
    expect(started.server.health().ready).toBe(false);
    release.open();
    await closed;

    expect(order).toEqual(['handler finished', 'closed']);
    expect(started.server.isConnected()).toBe(false);
    await consumerSettled(started, 1);
  });
});
