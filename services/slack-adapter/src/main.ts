// Entry point of the Slack adapter: students start, extend and stop labs with `/lab` and buttons in Slack, and hear
// about their labs by direct message. It reaches the platform only through the claim API (its own claim-scoped key)
// and its own durable consumer of claim and tenant events.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ChatEventRelay, ChatNotifier, ClaimApiClient, SeenKeys } from '@kubelabs/chat';
import { runService } from '@kubelabs/runtime';
import { SlackAdapterConfig } from './config';
import { DeferredReplies } from './deferred-replies';
import { slackConsumer, SlackEventsController } from './slack-events.controller';
import { SlackRequestsController } from './slack-requests.controller';
import { SlackSender } from './slack-sender';

@Module({
  controllers: [SlackRequestsController, SlackEventsController],
  providers: [
    SlackSender,
    DeferredReplies,
    {
      provide: ClaimApiClient,
      inject: [SlackAdapterConfig],
      useFactory: (config: SlackAdapterConfig) => new ClaimApiClient(config.CLAIM_API_URL, config.CLAIM_API_KEY),
    },
    {
      provide: ChatEventRelay,
      inject: [ClaimApiClient, SlackSender],
      useFactory: (api: ClaimApiClient, sender: SlackSender) =>
        new ChatEventRelay(new ChatNotifier(api, 'slack'), new SeenKeys(24 * 3600_000), (notice) =>
          sender.sendDirect(notice.identity.user, notice.message),
        ),
    },
  ],
})
class SlackAdapterModule {}

runService(SlackAdapterConfig, (config) => ({
  service: 'slack-adapter',
  module: SlackAdapterModule,
  config,
  port: config.HTTP_PORT,
  connections: { nats: true },
  consumers: [{ ...slackConsumer, concurrency: config.CHAT_EVENT_CONCURRENCY }],
  rawBody: true,
}));
