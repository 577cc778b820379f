// API keys: shown once at creation, stored only as SHA-256 hashes. Verified keys are cached briefly so the claim
// fast path costs no extra round trip; a revocation takes effect within the cache's lifetime (5 s).
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '@kubelabs/domain';
import { Persistence, type ApiKeyDocument, type ApiKeyScope } from '@kubelabs/persistence';

export interface Caller {
  apiKeyId: string;
  name: string;
  scopes: ApiKeyScope[];
}

const cacheTtlMs = 5_000;
const cacheMaxEntries = 10_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class ApiKeys {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(private readonly db: Persistence) {}

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
    this.cache.clear();
  }

  async list(): Promise<Omit<ApiKeyDocument, 'hash'>[]> {
    return this.db.apiKeys.find({}, { hash: 0 }).sort({ createdAt: 1 }).lean().exec();
  }

  /** The caller behind a bearer token, or null when the key is unknown or revoked. */
  async verify(key: string): Promise<Caller | null> {
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.caller;
    const doc = await this.db.apiKeys
      .findOne({ hash, revokedAt: { $exists: false } })
      .lean()
      .exec();
    if (!doc) return null;
    const caller = { apiKeyId: doc._id, name: doc.name, scopes: doc.scopes };
    if (this.cache.size >= cacheMaxEntries) this.cache.clear();
    this.cache.set(hash, { caller, until: Date.now() + cacheTtlMs });
    return caller;
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
    return { id: doc._id, doc };
  }
}
