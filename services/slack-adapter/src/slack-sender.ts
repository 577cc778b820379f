// Every message to Slack goes out here: through the shared OutboundQueue (the workspace-wide pace of
// chat.postMessage and one message per second per conversation, as Slack documents), then @slack/web-api. The
// client itself does not retry: a 429 comes back as RateLimitedError with Slack's Retry-After, so the queue blocks
// the method and the conversation for that long and tries again, in order.
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode, LogLevel, WebClient, type KnownBlock, type WebAPIRateLimitedError } from '@slack/web-api';
import { OutboundQueue, RateLimitedError, renderSlackMessage, type ChatMessage } from '@kubelabs/chat';
import { Metrics } from '@kubelabs/runtime';
import { SlackAdapterConfig } from './config';

const method = 'chat.postMessage';

@Injectable()
export class SlackSender implements OnApplicationShutdown {
  private readonly logger = new Logger('SlackSender');
  private readonly client: WebClient;
  private readonly queue: OutboundQueue;

  constructor(config: SlackAdapterConfig, metrics: Metrics) {
    this.client = new WebClient(config.SLACK_BOT_TOKEN, {
      slackApiUrl: config.SLACK_API_URL,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: 10_000,
      logLevel: LogLevel.ERROR,
    });
    // Slack counts what it receives. Calls leave evenly spaced but arrive with the network's jitter: the method's
    // pace keeps 10 % in hand, and a conversation's is counted from each answer (which comes after the arrival).
    const perMethod = { perSecond: (0.9 * config.CHAT_MESSAGES_PER_MINUTE) / 60, burst: 1 };
    const perChannel = { perSecond: config.CHAT_MESSAGES_PER_CHANNEL_PER_SECOND, burst: 1, fromAnswer: true };
    this.queue = new OutboundQueue({
      limitOf: (key) => (key === method ? perMethod : perChannel),
      concurrency: 8,
      maxAttempts: 8,
      retryDelayMs: 1_000,
    });
    const pending = metrics.gauge('kubelabs_chat_outbound_pending', 'Slack messages waiting for their turn');
    const sent = metrics.counter('kubelabs_chat_messages_total', 'Slack messages by outcome', ['outcome']);
    this.onOutcome = (outcome) => {
      sent.inc({ outcome });
      pending.set(this.queue.stats.pending);
    };
  }

  private readonly onOutcome: (outcome: 'sent' | 'rate_limited' | 'failed') => void;

  /** A direct message to a Slack user (a bot posting to a user id lands in the app's DM with them). */
  async sendDirect(userId: string, message: ChatMessage): Promise<void> {
    const { text, blocks } = renderSlackMessage(message);
    try {
      await this.queue.send([method, `${method}:${userId}`], async () => {
        try {
          // renderSlackMessage builds section and actions blocks only (its spec checks their shape). Not
          // window.postMessage, whatever the linter thinks:
          // oxlint-disable-next-line unicorn/require-post-message-target-origin
          await this.client.chat.postMessage({ channel: userId, text, blocks: blocks as unknown as KnownBlock[] });
          this.onOutcome('sent');
        } catch (error) {
          if ((error as { code?: string }).code === ErrorCode.RateLimitedError) {
            this.onOutcome('rate_limited');
            throw new RateLimitedError(Math.max(1, (error as WebAPIRateLimitedError).retryAfter) * 1000);
          }
          throw error;
        }
      });
    } catch (error) {
      this.onOutcome('failed');
      this.logger.warn({ userId, error: (error as Error).message }, 'a Slack message could not be sent');
      throw error;
    }
  }

  onApplicationShutdown(): void {
    this.queue.stop();
  }
}
