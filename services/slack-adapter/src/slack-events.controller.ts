// The Slack adapter's durable consumer: claim and tenant events become direct messages to the Slack students they
// concern (ChatEventRelay). The handler returns when the messages are out, so the event is acked after its effect;
// a failed send is retried by redelivery, and a message already sent is not sent again.
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { chatEventTypes, ChatEventRelay, type ChatEvent } from '@kubelabs/chat';
import type { JetStreamContext } from '@kubelabs/messaging';

export const slackConsumer = {
  durable: 'slack-adapter',
  filterSubjects: chatEventTypes,
  // Long enough for a message that waits its turn behind a burst; the transport keeps slow handlers alive anyway.
  ackWaitMs: 60_000,
  maxDeliver: 8,
};

@Controller()
export class SlackEventsController {
  constructor(private readonly relay: ChatEventRelay) {}

  @EventPattern<string[]>(slackConsumer.filterSubjects)
  async onEvent(@Payload() data: ChatEvent['data'], @Ctx() context: JetStreamContext): Promise<void> {
    await this.relay.relay({ type: context.type, data } as ChatEvent, context.envelope.id);
  }
}
