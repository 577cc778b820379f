// Every call to Discord goes through @discordjs/rest, which keeps Discord's rate-limit buckets (per route, from the
// X-RateLimit-* headers), the global 50 requests per second, and waits out a 429's retry_after before retrying.
// Direct messages: open (and remember) the DM channel with the student, then post into it. Interaction follow-ups
// edit the deferred answer through the interaction's webhook (no bot token; valid for 15 minutes).
import { Injectable, Logger } from '@nestjs/common';
import { REST } from '@discordjs/rest';
import { renderDiscordMessage, type ChatMessage } from '@kubelabs/chat';
import { Metrics } from '@kubelabs/runtime';
import { DiscordAdapterConfig } from './config';

@Injectable()
export class DiscordSender {
  private readonly logger = new Logger('DiscordSender');
  private readonly rest: REST;
  private readonly dmChannels = new Map<string, string>();
  private readonly outcomes: (outcome: 'sent' | 'failed') => void;

  constructor(
    private readonly config: DiscordAdapterConfig,
    metrics: Metrics,
  ) {
    this.rest = new REST({ api: config.DISCORD_API_URL, version: '10', timeout: 10_000, retries: 3 }).setToken(
      config.DISCORD_BOT_TOKEN,
    );
    const counter = metrics.counter('kubelabs_chat_messages_total', 'Discord messages by outcome', ['outcome']);
    this.outcomes = (outcome) => counter.inc({ outcome });
    const limited = metrics.counter('kubelabs_chat_rate_limited_total', 'Discord 429 answers waited out');
    this.rest.on('rateLimited', () => limited.inc());
  }

  async sendDirect(userId: string, message: ChatMessage): Promise<void> {
    try {
      const channel = await this.dmChannel(userId);
      await this.rest.post(`/channels/${channel}/messages`, { body: renderDiscordMessage(message) });
      this.outcomes('sent');
    } catch (error) {
      this.outcomes('failed');
      this.logger.warn({ userId, error: (error as Error).message }, 'a Discord message could not be sent');
      throw error;
    }
  }

  /** Replaces the deferred answer to an interaction (ephemeral: only the student sees it). */
  async answer(interactionToken: string, message: ChatMessage): Promise<void> {
    await this.rest.patch(`/webhooks/${this.config.DISCORD_APPLICATION_ID}/${interactionToken}/messages/@original`, {
      body: renderDiscordMessage(message),
      auth: false,
    });
  }

  private async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const channel = (await this.rest.post('/users/@me/channels', { body: { recipient_id: userId } })) as { id: string };
    if (this.dmChannels.size > 50_000) this.dmChannels.clear();
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }
}
