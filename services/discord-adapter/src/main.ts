// Entry point of the Discord adapter: the `/lab` application command and its buttons through Discord's interactions
// endpoint, and direct messages about each student's lab from the platform's events. It reaches the platform only
// through the claim API (its own claim-scoped key) and its own durable consumer.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { ChatEventRelay, ChatNotifier, ClaimApiClient, KvSentKeys, sentKeysBucket } from '@kubelabs/chat';
import { NATS_CONNECTION, runService } from '@kubelabs/runtime';
import { DiscordAdapterConfig } from './config';
import { discordConsumer, DiscordEventsController } from './discord-events.controller';
import { DeferredAnswers, DiscordInteractionsController } from './discord-interactions.controller';
import { DiscordSender } from './discord-sender';

@Module({
  controllers: [DiscordInteractionsController, DiscordEventsController],
  providers: [
    DiscordSender,
    DeferredAnswers,
    {
      provide: ClaimApiClient,
      inject: [DiscordAdapterConfig],
      useFactory: (config: DiscordAdapterConfig) => new ClaimApiClient(config.CLAIM_API_URL, config.CLAIM_API_KEY),
    },
    {
      provide: ChatEventRelay,
      inject: [ClaimApiClient, DiscordSender, NATS_CONNECTION, DiscordAdapterConfig],
      // The messages already sent are kept in a JetStream KV bucket, so a restart does not send them again.
      useFactory: async (
        api: ClaimApiClient,
        sender: DiscordSender,
        nc: NatsConnection,
        config: DiscordAdapterConfig,
      ) => {
        const sent = await KvSentKeys.open(nc, {
          bucket: sentKeysBucket('discord', config.NATS_SUBJECT_PREFIX),
          replicas: config.NATS_STREAM_REPLICAS,
        });
        return new ChatEventRelay(new ChatNotifier(api, 'discord'), sent, (notice) =>
          sender.sendDirect(notice.identity.user, notice.message),
        );
      },
    },
  ],
})
class DiscordAdapterModule {}

runService(DiscordAdapterConfig, (config) => ({
  service: 'discord-adapter',
  module: DiscordAdapterModule,
  config,
  port: config.HTTP_PORT,
  connections: { nats: true },
  consumers: [{ ...discordConsumer, concurrency: config.CHAT_EVENT_CONCURRENCY }],
  rawBody: true,
}));
