// Variables every chat adapter shares: where the claim API is and the adapter's own claim-scoped key, its outbound
// pace. An adapter talks to the platform over HTTP and NATS only, so MongoDB and Kubernetes are not asked for.
import { Matches, ValidateIf } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';

export class ChatAdapterConfig extends PlatformConfig {
  /** Not used by the adapters (they reach claims through the claim API); checked only when set. */
  @ValidateIf((config: ChatAdapterConfig) => config.MONGO_URL !== '')
  override MONGO_URL: string = '';

  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'CLAIM_API_URL must be an http(s) URL' })
  CLAIM_API_URL: string = '';

  /** The adapter's own API key with the `claim` scope (POST /v1/api-keys); it sees only the claims it made. */
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'CLAIM_API_KEY must be 16-128 characters of A-Z a-z 0-9 _ -' })
  CLAIM_API_KEY: string = '';

  /** Direct messages the adapter sends per minute at most, across all students (the provider's method limit). */
  @EnvIntegerInRange(1, 60_000)
  CHAT_MESSAGES_PER_MINUTE: number = 300;

  /** Messages per second at most into one conversation (Slack: 1 per channel; Discord: 5 per 5 s per channel). */
  @EnvIntegerInRange(1, 100)
  CHAT_MESSAGES_PER_CHANNEL_PER_SECOND: number = 1;

  /** Events the adapter turns into messages at once (each waits for its messages to be sent before it is acked). */
  @EnvIntegerInRange(1, 256)
  CHAT_EVENT_CONCURRENCY: number = 32;
}
