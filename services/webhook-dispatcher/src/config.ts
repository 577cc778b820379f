// The webhook dispatcher's configuration: the platform's variables plus the sealing key, the refused targets and the
// retry bound, validated once at start-up.
import { IsDefined } from 'class-validator';
import {
  defaultWebhookRefusedCidrs,
  EnvAes256Key,
  EnvAes256Keys,
  EnvCidrs,
  EnvIntegerInRange,
  PlatformConfig,
  splitCidrList,
} from '@kubelabs/config';
import type { WebhookRetryPolicy, WebhookTargetRules } from '@kubelabs/domain';

export class WebhookDispatcherConfig extends PlatformConfig {
  override HTTP_PORT: number = 8085;

  /** The key the claim API sealed the signing secrets with (32 bytes, base64). */
  @IsDefined({ message: 'WEBHOOK_SECRET_KEY must be set (the same key as the claim API)' })
  @EnvAes256Key()
  // Declared with a value so that the loader reads it from the environment; undefined fails @IsDefined.
  WEBHOOK_SECRET_KEY: string = undefined as unknown as string;

  /** Keys being rotated out (comma-separated): what they sealed still opens, and is sealed again under the current. */
  @EnvAes256Keys()
  WEBHOOK_PREVIOUS_SECRET_KEYS: string = '';

  /**
   * Addresses no delivery may reach, besides loopback, link-local (cloud metadata) and multicast, which are always
   * refused: by default every private and shared range, so the host cluster's pod, Service and node ranges too. A
   * host name is resolved at every attempt and each address checked, so DNS cannot move a webhook inside.
   */
  @EnvCidrs()
  WEBHOOK_REFUSED_CIDRS: string = defaultWebhookRefusedCidrs;

  /** Explicit allowances inside the refused ranges (checked first). */
  @EnvCidrs()
  WEBHOOK_ALLOWED_CIDRS: string = '';

  /** Attempts per delivery before it becomes a dead letter. */
  @EnvIntegerInRange(1, 30)
  WEBHOOK_MAX_ATTEMPTS: number = 8;

  /** Delay after the first failed attempt, doubled after each further one. */
  @EnvIntegerInRange(10, 3_600_000)
  WEBHOOK_RETRY_BASE_MS: number = 2_000;

  /** Longest delay between two attempts (a receiver's Retry-After is capped by it too). */
  @EnvIntegerInRange(10, 86_400_000)
  WEBHOOK_RETRY_MAX_MS: number = 600_000;

  /** How long one attempt may take, connection to last byte. */
  @EnvIntegerInRange(100, 60_000)
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** How often due deliveries (retries, redeliveries, those another replica dropped) are looked for. */
  @EnvIntegerInRange(50, 60_000)
  WEBHOOK_POLL_INTERVAL_MS: number = 1_000;

  /** Attempts in flight at once. */
  @EnvIntegerInRange(1, 256)
  WEBHOOK_CONCURRENCY: number = 16;

  /** Delivered deliveries are forgotten after this long. */
  @EnvIntegerInRange(1, 8_760)
  WEBHOOK_DELIVERED_RETENTION_HOURS: number = 24;
}

export function targetRulesFrom(config: WebhookDispatcherConfig): WebhookTargetRules {
  return {
    refusedCidrs: splitCidrList(config.WEBHOOK_REFUSED_CIDRS),
    allowedCidrs: splitCidrList(config.WEBHOOK_ALLOWED_CIDRS),
  };
}

export function retryPolicyFrom(config: WebhookDispatcherConfig): WebhookRetryPolicy {
  return {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    baseMs: config.WEBHOOK_RETRY_BASE_MS,
    maxMs: Math.max(config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS),
  };
}
