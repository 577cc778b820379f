// API keys: shown once at creation, stored only as SHA-256 hashes. Verification goes through KeyVerifier, so the claim
// fast path costs no extra round trip and wrong keys cost at most a bounded number of lookups: a revocation takes
// effect within 5 s, a key created on another replica is usable within API_KEY_NEGATIVE_CACHE_MS.
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { DomainError } from '@kubelabs/domain';
import { Persistence, type ApiKeyDocument, type ApiKeyScope } from '@kubelabs/persistence';
import { Metrics } from '@kubelabs/runtime';
import { ClaimApiConfig } from '../config';
import { KeyVerifier, type Caller, type Verification } from './key-verifier';

export type { Caller, Verification };

const verifiedTtlMs = 5_000;
// Long enough to outlast any pause in a valid client's traffic that matters; it only spares the limiter, every
// re-verification after verifiedTtlMs is still a lookup.
const rememberValidMs = 10 * 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class ApiKeys {
  private readonly verifier: KeyVerifier;
  private readonly verifications: Counter<string>;
  private readonly lookups: Counter<string>;

  constructor(
    private readonly db: Persistence,
    config: ClaimApiConfig,
    metrics: Metrics,
  ) {
    this.verifications = metrics.counter(
      'kubelabs_api_key_verifications_total',
      'API key verifications by outcome (valid, unknown, rate_limited)',
      ['outcome'],
    );
    this.lookups = metrics.counter('kubelabs_api_key_lookups_total', 'API key lookups that reached the database');
    this.verifier = new KeyVerifier((hash) => this.lookup(hash), {
      verifiedTtlMs,
      rememberValidMs,
      negativeTtlMs: config.API_KEY_NEGATIVE_CACHE_MS,
      maxKeys: config.API_KEY_CACHE_ENTRIES,
      failures: config.AUTH_FAILURE_LIMIT,
      windowMs: config.AUTH_FAILURE_WINDOW_MS,
      maxClients: config.AUTH_FAILURE_CLIENTS,
    });
  }

  async create(
    name: string,
    scopes: ApiKeyScope[],
    now = new Date(),
  ): Promise<{ id: string; key: string; doc: ApiKeyDocument }> {
    const key = `kl_${randomBytes(24).toString('base64url')}`;
    return { key, ...(await this.store(name, scopes, key, now)) };
  }

  /** Makes sure a key with this exact value exists (the development admin key, DEV_API_KEY). */
  async ensure(name: string, scopes: ApiKeyScope[], key: string, now = new Date()): Promise<void> {
    const hash = hashApiKey(key);
    if (await this.db.apiKeys.exists({ hash, revokedAt: { $exists: false } })) return;
    await this.db.apiKeys.deleteMany({ hash });
    await this.store(name, scopes, key, now);
  }

  async revoke(id: string, now = new Date()): Promise<void> {
    const result = await this.db.apiKeys.updateOne(
      { _id: id, revokedAt: { $exists: false } },
      { $set: { revokedAt: now } },
    );
    if (result.matchedCount === 0) throw new DomainError('api_key.not_found', `no active API key ${id}`);
    this.verifier.forgetVerified();
  }

  async list(): Promise<Omit<ApiKeyDocument, 'hash'>[]> {
    return this.db.apiKeys.find({}, { hash: 0 }).sort({ createdAt: 1 }).lean().exec();
  }

  /**
   * Whether a bearer token is a live key, for a request from `client` (see clientKeyOf): the caller, unknown (or
   * revoked), or rate_limited when the client failed too often and this key is not one that verified recently.
   */
  async verify(key: string, client: string): Promise<Verification> {
    const verification = await this.verifier.verify(hashApiKey(key), client);
    this.verifications.inc({ outcome: verification.outcome });
    return verification;
  }

  private async lookup(hash: string): Promise<Caller | null> {
    this.lookups.inc();
    const doc = await this.db.apiKeys
      .findOne({ hash, revokedAt: { $exists: false } })
      .lean()
      .exec();
    return doc ? { apiKeyId: doc._id, name: doc.name, scopes: doc.scopes } : null;
  }

  private async store(
    name: string,
    scopes: ApiKeyScope[],
    key: string,
    now: Date,
  ): Promise<{ id: string; doc: ApiKeyDocument }> {
    const doc: ApiKeyDocument = {
      _id: `key-${randomUUID()}`,
      name,
      scopes,
      hash: hashApiKey(key),
      prefix: key.slice(0, 7),
      createdAt: now,
    };
    await this.db.apiKeys.create(doc);
    this.verifier.forgetRefusal(doc.hash);
    return { id: doc._id, doc };
  }
}
