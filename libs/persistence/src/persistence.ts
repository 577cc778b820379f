// One MongoDB connection per service and the models on it. Indexes are created explicitly at start-up (autoIndex is
// off), so a service that starts has the indexes its queries and unique rules rely on.
import mongoose, { type Connection, type Model } from 'mongoose';
import {
  apiKeySchema,
  claimHoldSchema,
  claimSchema,
  idempotencyRecordSchema,
  labSchema,
  tenantSchema,
  type ApiKeyDocument,
  type ClaimDocument,
  type ClaimHoldDocument,
  type IdempotencyRecordDocument,
  type LabDocument,
  type PoolStatusDocument,
  poolStatusSchema,
  type TenantDocument,
  type WebhookDeliveryDocument,
  type WebhookSubscriptionDocument,
  webhookDeliverySchema,
  webhookSubscriptionSchema,
} from './schemas';

export class Persistence {
  readonly labs: Model<LabDocument>;
  readonly tenants: Model<TenantDocument>;
  readonly claims: Model<ClaimDocument>;
  readonly claimHolds: Model<ClaimHoldDocument>;
  readonly idempotencyRecords: Model<IdempotencyRecordDocument>;
  readonly apiKeys: Model<ApiKeyDocument>;
  readonly poolStatus: Model<PoolStatusDocument>;
  readonly webhookSubscriptions: Model<WebhookSubscriptionDocument>;
  readonly webhookDeliveries: Model<WebhookDeliveryDocument>;

  private constructor(readonly connection: Connection) {
    this.labs = connection.model('Lab', labSchema);
    this.tenants = connection.model('Tenant', tenantSchema);
    this.claims = connection.model('Claim', claimSchema);
    this.claimHolds = connection.model('ClaimHold', claimHoldSchema);
    this.idempotencyRecords = connection.model('IdempotencyRecord', idempotencyRecordSchema);
    this.apiKeys = connection.model('ApiKey', apiKeySchema);
    this.poolStatus = connection.model('PoolStatus', poolStatusSchema);
    this.webhookSubscriptions = connection.model('WebhookSubscription', webhookSubscriptionSchema);
    this.webhookDeliveries = connection.model('WebhookDelivery', webhookDeliverySchema);
  }

  static async connect(url: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<Persistence> {
    const connection = mongoose.createConnection(url, {
      autoIndex: false,
      autoCreate: true,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
      maxPoolSize: 50,
      // Connections open at start-up, not during the first burst of claims.
      minPoolSize: 10,
    });
    await connection.asPromise();
    const persistence = new Persistence(connection);
    await persistence.ensureIndexes();
    return persistence;
  }

  async ensureIndexes(): Promise<void> {
    for (const model of this.models()) await model.createIndexes();
  }

  /** Readiness: true when the server answers a ping. */
  async ping(): Promise<boolean> {
    try {
      const db = this.connection.db;
      if (!db || this.connection.readyState !== 1) return false;
      await db.command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private models(): Model<any>[] {
    return [
      this.labs,
      this.tenants,
      this.claims,
      this.claimHolds,
      this.idempotencyRecords,
      this.apiKeys,
      this.poolStatus,
      this.webhookSubscriptions,
      this.webhookDeliveries,
    ];
  }
}
