// The Discord adapter's durable consumer: claim and tenant events become direct messages to the Discord students
// they concern (ChatEventRelay), acked once the messages are out.
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { chatEventTypes, ChatEventRelay, type ChatEvent } from '@kubelabs/chat';
import type { JetStreamContext } from '@kubelabs/messaging';

export const discordConsumer = {
  durable: 'discord-adapter',
  filterSubjects: chatEventTypes,
  ackWaitMs: 60_000,
  maxDeliver: 8,
};

@Controller()
export class DiscordEventsController {
  constructor(private readonly relay: ChatEventRelay) {}

  @EventPattern<string[]>(discordConsumer.filterSubjects)
  async onEvent(@Payload() data: ChatEvent['data'], @Ctx() context: JetStreamContext): Promise<void> {
    await this.relay.relay({ type: context.type, data } as ChatEvent, context.envelope.id);
  }
}
