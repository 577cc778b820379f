// The claim API's configuration: the platform's variables plus its own port, per-user limit and access details.
import { IsOptional, Matches } from 'class-validator';
import {
  defaultWebhookRefusedCidrs,
  EnvAes256Key,
  EnvAes256Keys,
  EnvCidrs,
  EnvIntegerInRange,
  PlatformConfig,
} from '@kubelabs/config';

export class ClaimApiConfig extends PlatformConfig {
  @EnvIntegerInRange(0, 65535)
  CLAIM_API_PORT: number = 8080;

  /** How many live (pending or active) claims one user may hold at once. */
  @EnvIntegerInRange(1, 10)
  MAX_CLAIMS_PER_USER: number = 1;

  /** Fixes the development admin key's value; set only in development. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'DEV_API_KEY must be 16-128 characters of A-Z a-z 0-9 _ -' })
  DEV_API_KEY?: string = undefined;

  /** How often the claims repair checks holds, idempotency records, claims and tenants for half-done writes. */
  @EnvIntegerInRange(200, 600_000)
  CLAIM_REPAIR_INTERVAL_MS: number = 15_000;

  /** How old a half-done state must be before the repair undoes it (requests in flight are left alone). */
  @EnvIntegerInRange(100, 600_000)
  CLAIM_REPAIR_GRACE_MS: number = 30_000;

  /** Idempotency-Key records are forgotten after this many hours. */
  @EnvIntegerInRange(1, 720)
  IDEMPOTENCY_KEY_TTL_HOURS: number = 24;

  /**
   * How long an API key that did not verify is answered 401 without a database lookup (0: no negative cache). A key
   * created on another replica is refused here for at most this long.
   */
  @EnvIntegerInRange(0, 60_000)
  API_KEY_NEGATIVE_CACHE_MS: number = 5_000;

  /** Most key hashes each API-key cache (verified, refused) holds; the least recently used go first. */
  @EnvIntegerInRange(100, 1_000_000)
  API_KEY_CACHE_ENTRIES: number = 10_000;

  /**
   * Failed authentications (a key that does not verify) one client may make at once before it is answered 429 with
   * Retry-After; the budget refills over AUTH_FAILURE_WINDOW_MS. 0 turns the limit off.
   */
  @EnvIntegerInRange(0, 100_000)
  AUTH_FAILURE_LIMIT: number = 20;

  @EnvIntegerInRange(1_000, 3_600_000)
  AUTH_FAILURE_WINDOW_MS: number = 60_000;

  /** Most clients whose failures are tracked at once (the least recently seen are forgotten first). */
  @EnvIntegerInRange(100, 1_000_000)
  AUTH_FAILURE_CLIENTS: number = 10_000;

  /**
   * Seals webhook signing secrets (AES-256-GCM) before they are stored; the webhook dispatcher needs the same key.
   * Unset: the /v1/webhooks endpoints answer 503 webhook.disabled.
   */
  @IsOptional()
  @EnvAes256Key()
  WEBHOOK_SECRET_KEY?: string = undefined;

  /**
   * Keys being rotated out (comma-separated, same form): subscriptions sealed under one still open, and are sealed
   * again under WEBHOOK_SECRET_KEY when read (GET /v1/webhooks) or delivered. The dispatcher needs the same list.
   */
  @EnvAes256Keys()
  WEBHOOK_PREVIOUS_SECRET_KEYS: string = '';

  /** Addresses a webhook may not target, besides loopback, link-local and multicast (see the dispatcher's). */
  @EnvCidrs()
  WEBHOOK_REFUSED_CIDRS: string = defaultWebhookRefusedCidrs;

  /** Explicit allowances inside the refused ranges (an LMS on a private address; the tests' receiver on loopback). */
  @EnvCidrs()
  WEBHOOK_ALLOWED_CIDRS: string = '';

  /**
   * Where lab checks (POST /v1/claims/{id}/checks) reach a tenant's API server, with the platform's credentials from
   * the tenant-pki Secret; `{namespace}` is replaced. The same address the provisioner uses.
   */
  @Matches(/^https?:\/\/\S+$/, {
    message: 'TENANT_API_URL_TEMPLATE must be an http(s) URL, optionally with {namespace}',
  })
  TENANT_API_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /** Where ssh checks reach a tenant control plane's SSH (`host:port`); workers are reached through it. */
  @Matches(/^[^\s:]+:\d{1,5}$/, {
    message: 'TENANT_SSH_ADDRESS_TEMPLATE must be host:port, optionally with {namespace}',
  })
  TENANT_SSH_ADDRESS_TEMPLATE: string = 'ssh.{namespace}.svc:22';

  /** The longest one check run may take; a check still looking then fails ("did not finish"). */
  @EnvIntegerInRange(1_000, 120_000)
  CHECK_RUN_TIMEOUT_MS: number = 30_000;
}
