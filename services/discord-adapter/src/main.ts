// Entry point of the Discord adapter: the `/lab` application command and its buttons through Discord's interactions
// endpoint, and direct messages about each student's lab from the platform's events. It reaches the platform only
// through the claim API (its own claim-scoped key) and its own durable consumer.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ChatEventRelay, ChatNotifier, ClaimApiClient, SeenKeys } from '@kubelabs/chat';
import { runService } from '@kubelabs/runtime';
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
      inject: [ClaimApiClient, DiscordSender],
      useFactory: (api: ClaimApiClient, sender: DiscordSender) =>
        new ChatEventRelay(new ChatNotifier(api, 'discord'), new SeenKeys(24 * 3600_000), (notice) =>
          sender.sendDirect(notice.identity.user, notice.message),
        ),
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
