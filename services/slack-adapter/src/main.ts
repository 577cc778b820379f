// Entry point of the Slack adapter: students start, extend and stop labs with `/lab` and buttons in Slack, and hear
// about their labs by direct message. It reaches the platform only through the claim API (its own claim-scoped key)
// and its own durable consumer of claim and tenant events.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { ChatEventRelay, ChatNotifier, ClaimApiClient, KvSentKeys, sentKeysBucket } from '@kubelabs/chat';
import { NATS_CONNECTION, runService } from '@kubelabs/runtime';
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
      inject: [ClaimApiClient, SlackSender, NATS_CONNECTION, SlackAdapterConfig],
      // The messages already sent are kept in a JetStream KV bucket, so a restart does not send them again.
      useFactory: async (api: ClaimApiClient, sender: SlackSender, nc: NatsConnection, config: SlackAdapterConfig) => {
        const sent = await KvSentKeys.open(nc, {
          bucket: sentKeysBucket('slack', config.NATS_SUBJECT_PREFIX),
          replicas: config.NATS_STREAM_REPLICAS,
        });
        return new ChatEventRelay(new ChatNotifier(api, 'slack'), sent, (notice) =>
          sender.sendDirect(notice.identity.user, notice.message),
        );
      },
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
