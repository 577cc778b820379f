// Outgoing webhooks, the pure part: which targets are refused, how a delivery is signed and verified, how its secret
// is sealed for storage, and what follows an attempt (delivered, retry later, dead letter). Shared by the claim API
// (subscriptions) and the webhook dispatcher (deliveries); the HTTP and MongoDB work stays in those shells.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The headers a receiver reads to verify a delivery. */
export const webhookHeaders = {
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with the subscription's secret. */
  signature: 'kubelabs-signature',
  /** Unix seconds when this attempt was signed; receivers refuse timestamps outside their window (5 minutes). */
  timestamp: 'kubelabs-timestamp',
  subscription: 'kubelabs-webhook-id',
  delivery: 'kubelabs-delivery-id',
  attempt: 'kubelabs-delivery-attempt',
} as const;

export const webhookContentType = 'application/cloudevents+json';
export const webhookSignatureTolerance = 300;

/** The secret shown once at creation: `whsec_` and 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>`, keyed with the secret's UTF-8 bytes. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body, compare in constant time, and refuse a timestamp
 * further than `toleranceSeconds` from now (a replayed delivery). Several `v1=` values (comma-separated) are accepted.
 */
export function verifyWebhook(input: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const tolerance = input.toleranceSeconds ?? webhookSignatureTolerance;
  if (!input.signature || !input.timestamp || !/^[0-9]{1,12}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  return input.signature.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// Sealing: AES-256-GCM under the operator's key (WEBHOOK_SECRET_KEY), bound to the subscription id (and, for the
// URL, to the field) as associated data, so a sealed value copied onto another subscription or field does not open.
const sealVersion = 'v1';

export function sealWebhookSecret(secret: string, key: Buffer, subscriptionId: string): string {
  return seal(secret, key, subscriptionId);
}

/** The secret, or undefined when it was sealed under another key (or for another subscription). */
export function openWebhookSecret(sealed: string, key: Buffer, subscriptionId: string): string | undefined {
  return open(sealed, key, subscriptionId);
}

/** A target URL is sealed too: its path or query often carries a token (a chat incoming-webhook URL, say). */
export function sealWebhookUrl(url: string, key: Buffer, subscriptionId: string): string {
  return seal(url, key, `${subscriptionId}#url`);
}

export function openWebhookUrl(sealed: string, key: Buffer, subscriptionId: string): string | undefined {
  return open(sealed, key, `${subscriptionId}#url`);
}

export interface SealedWebhookFields {
  id: string;
  sealedSecret: string;
  sealedUrl: string;
}

/**
 * Opens a subscription's secret and URL with the current key or, during a key rotation, one of the previous ones;
 * `resealed` is set when a previous key opened them: the same values sealed under the current key, to be stored.
 * Undefined when no key opens both.
 */
export function openWebhookFields(
  fields: SealedWebhookFields,
  keys: { current: Buffer; previous: readonly Buffer[] },
): { secret: string; url: string; resealed?: { sealedSecret: string; sealedUrl: string } } | undefined {
  for (const [index, key] of [keys.current, ...keys.previous].entries()) {
    const secret = openWebhookSecret(fields.sealedSecret, key, fields.id);
    const url = openWebhookUrl(fields.sealedUrl, key, fields.id);
    if (secret === undefined || url === undefined) continue;
    if (index === 0) return { secret, url };
    return {
      secret,
      url,
      resealed: {
        sealedSecret: sealWebhookSecret(secret, keys.current, fields.id),
        sealedUrl: sealWebhookUrl(url, keys.current, fields.id),
      },
    };
  }
  return undefined;
}

function seal(value: string, key: Buffer, associated: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated));
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [sealVersion, ...[iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url'))].join('.');
}

function open(sealed: string, key: Buffer, associated: string): string | undefined {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== sealVersion || !iv || !tag || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associated));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Addresses no webhook may call, and the explicit allowances carved out of them (checked first). */
export interface WebhookTargetRules {
  refusedCidrs: readonly string[];
  allowedCidrs: readonly string[];
}

/** Always refused, whatever the configuration: loopback, link-local (cloud metadata), unspecified, multicast. */
export const alwaysRefusedCidrs: readonly string[] = [
  '127.0.0.0/8',
  '0.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '::1/128',
  '::/128',
  'fe80::/10',
  'ff00::/8',
];

/** `10.0.0.0/8` into its parts, or undefined when it is not an IPv4/IPv6 CIDR. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const match = /^([0-9a-fA-F:.]+)\/([0-9]{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const address = match[1]!;
  const prefix = Number(match[2]);
  if (isIPv4(address) && prefix <= 32) return { address, prefix, family: 'ipv4' };
  if (isIPv6(address) && prefix <= 128) return { address, prefix, family: 'ipv6' };
  return undefined;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (cidr) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

/** `::ffff:127.0.0.1` is 127.0.0.1: a mapped address must not slip past an IPv4 rule. */
function unmapped(address: string): string {
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : address;
}

/** Why a resolved address may not be called, or undefined when it may. */
export function refusalOf(address: string, rules: WebhookTargetRules): string | undefined {
  const ip = unmapped(address);
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
  if (!family) return `${address} is not an IP address`;
  if (blockListOf(rules.allowedCidrs).check(ip, family)) return undefined;
  if (blockListOf([...alwaysRefusedCidrs, ...rules.refusedCidrs]).check(ip, family))
    return `${address} lies in a refused range (loopback, link-local, the host cluster's ranges or WEBHOOK_REFUSED_CIDRS)`;
  return undefined;
}

/** Checks a target URL's form: http(s), a host, no credentials, no fragment. Returns the problem, or undefined. */
export function planWebhookUrl(text: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'url must be an absolute http or https URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'url must use http or https' };
  if (url.username || url.password) return { problem: 'url must not carry credentials' };
  if (url.hash) return { problem: 'url must not have a fragment' };
  if (!url.hostname) return { problem: 'url must name a host' };
  return { url };
}

/** The host to resolve: an IPv6 literal loses its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export interface WebhookRetryPolicy {
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number;
  /** Delay after the first failed attempt; doubled after each further one, capped at maxMs. */
  baseMs: number;
  maxMs: number;
}

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterMs?: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'refused'; reason: string };

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; nextAttemptAt: Date; reason: string; status?: number }
  | { kind: 'dead'; reason: string; status?: number };

/**
 * What follows attempt number `attempt` (1 = the first): a 2xx is delivered; a refused target is dead at once (the
 * address will not become allowed by waiting); anything else is retried after min(maxMs, baseMs × 2^(attempt-1)), or
 * the receiver's Retry-After when longer (still capped), until `maxAttempts` attempts were made.
 */
export function planAttemptOutcome(
  attempt: number,
  result: AttemptResult,
  policy: WebhookRetryPolicy,
  now: Date,
): AttemptOutcome {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300)
    return { kind: 'delivered', status: result.status };
  const status = result.kind === 'response' ? { status: result.status } : {};
  const reason =
    result.kind === 'response' ? `the receiver answered ${result.status}` : `${result.kind}: ${result.reason}`;
  if (result.kind === 'refused' || attempt >= policy.maxAttempts)
    return {
      kind: 'dead',
      reason: result.kind === 'refused' ? reason : `${reason} (after ${attempt} attempts)`,
      ...status,
    };
  const backoff = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const retryAfter = result.kind === 'response' ? (result.retryAfterMs ?? 0) : 0;
  const delayMs = Math.min(policy.maxMs, Math.max(backoff, retryAfter));
  return { kind: 'retry', nextAttemptAt: new Date(now.getTime() + delayMs), reason, ...status };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^[0-9]{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
