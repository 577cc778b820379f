// The dispatcher's durable consumer: every platform event is recorded once per subscription that wants its type
// (keyed by subscription and event id, so a redelivered event changes nothing), then acked; sending, retrying and
// dead-lettering are per subscription, in the delivery loop. A JetStream nak could not do that: one event fans out to
// many receivers, and one slow receiver must not hold back or repeat the others.
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { eventTypes } from '@kubelabs/contracts';
import { JetStreamContext } from '@kubelabs/messaging';
import { Persistence, WebhookStore } from '@kubelabs/persistence';
import { DeliverWebhooks } from './deliver-webhooks';

export const webhookDispatcherConsumer = {
  durable: 'webhook-dispatcher',
  filterSubjects: [...eventTypes] as string[],
  ackWaitMs: 30_000,
  concurrency: 8,
};

@Controller()
export class WebhookEventsController {
  private readonly store: WebhookStore;

  constructor(
    db: Persistence,
    private readonly deliveries: DeliverWebhooks,
  ) {
    this.store = new WebhookStore(db);
  }

  @EventPattern<string[]>(webhookDispatcherConsumer.filterSubjects)
  async onEvent(@Ctx() ctx: JetStreamContext): Promise<void> {
    const envelope = ctx.envelope;
    const subscriptions = await this.store.subscriptionsFor(ctx.type);
    if (subscriptions.length === 0) return;
    const ids = await this.store.recordDeliveries(
      subscriptions.map((subscription) => subscription._id),
      { id: envelope.id, type: ctx.type, body: JSON.stringify(envelope) },
      new Date(),
    );
    this.deliveries.enqueue(ids);
  }
}
