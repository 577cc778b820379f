// Mongoose schemas for the catalog, tenants, claims and API keys. Every "at most one" rule is a unique key on a
// document that exists only while the rule applies (the local wire server ignores partial indexes).
import { Schema } from 'mongoose';
import { claimStates, tenantStates, type Claim, type Lab, type PoolSettings, type Tenant } from '@kubelabs/domain';

const nodeSize = { cpu: { type: Number, required: true }, memoryMiB: { type: Number, required: true } };
const poolSettings = { minReady: { type: Number, required: true }, maxTotal: { type: Number, required: true } };

/** Stored shape of a lab: per-version pool overrides are an array, since map keys may not contain '.' (1.36). */
export type LabDocument = Omit<Lab, 'id' | 'pool' | 'image'> & {
  _id: string;
  /** The lab's own node image; null when it boots the platform's (stored as null so a dropped override is dropped). */
  image?: string | null;
  pool: PoolSettings & { perVersion?: (PoolSettings & { kubernetesVersion: string })[] };
  createdAt: Date;
  updatedAt: Date;
};
export const labSchema = new Schema<LabDocument>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, required: true },
    level: { type: String, required: true, enum: ['beginner', 'intermediate', 'advanced'] },
    hints: { type: [String], default: [] },
    tags: { type: [String], default: [] },
    kubernetesVersions: { type: [String], required: true },
    topology: {
      controlPlane: nodeSize,
      workers: { count: { type: Number, required: true }, ...nodeSize },
    },
    image: { type: String },
    setup: { controlPlane: String, workers: String },
    session: {
      durationMinutes: { type: Number, required: true },
      maxExtensionMinutes: { type: Number, required: true },
      extensionStepMinutes: { type: Number },
    },
    pool: {
      ...poolSettings,
      perVersion: {
        type: [new Schema({ kubernetesVersion: String, ...poolSettings }, { _id: false })],
        default: undefined,
      },
    },
    // Per-lab bandwidth overrides; stored as {} when the lab has none, so a sync clears removed ones.
    network: { ingressBandwidth: String, egressBandwidth: String },
    // Per-lab quota margins; {} when the lab has none, for the same reason.
    quota: {
      headroomPercent: Number,
      extraPods: Number,
      defaultContainerRequest: { cpuMillis: Number, memoryMiB: Number },
    },
    // The lab's checks as the catalog declares them (validated there); both lists always present, [] for none.
    checks: {
      readiness: { type: [Schema.Types.Mixed], default: [] },
      solution: { type: [Schema.Types.Mixed], default: [] },
    },
    // Per-lab limits on what the syncer exposes; {} when the lab sets none, for the same reason.
    exposure: { services: Number, ingresses: Number, ports: String },
  },
  { collection: 'labs', timestamps: true, versionKey: false },
);
labSchema.index({ tags: 1 });

export type TenantDocument = Omit<Tenant, 'id'> & { _id: string; poolKey: string; updatedAt: Date };
export const tenantSchema = new Schema<TenantDocument>(
  {
    _id: { type: String, required: true },
    labId: { type: String, required: true },
    kubernetesVersion: { type: String, required: true },
    poolKey: { type: String, required: true },
    namespace: { type: String, required: true },
    state: { type: String, required: true, enum: tenantStates },
    claimId: { type: String },
    step: { type: String },
    failureReason: { type: String },
    provisioningDeadline: { type: Date, required: true },
    readyAt: Date,
    claimedAt: Date,
    releasedAt: Date,
    deletedAt: Date,
    releaseReason: String,
    releaseClaimId: String,
    releaseAnnouncedAt: Date,
    isolatedAt: Date,
    exposure: {
      type: new Schema(
        {
          state: { type: String, enum: ['open', 'closed'] },
          claimId: String,
          host: String,
          sshPort: Number,
          apiPort: Number,
          changedAt: Date,
        },
        { _id: false },
      ),
      default: undefined,
    },
    conditions: [
      new Schema(
        { type: String, status: String, reason: String, message: String, lastTransitionTime: Date },
        { _id: false },
      ),
    ],
  },
  { collection: 'tenants', timestamps: true, versionKey: false },
);
// Fast path: the oldest ready tenant of a pool. Also drives pool counts per state.
tenantSchema.index({ poolKey: 1, state: 1, readyAt: 1 });
tenantSchema.index({ state: 1, provisioningDeadline: 1 });
tenantSchema.index({ namespace: 1 }, { unique: true });
// Recent failures per pool (the pool manager's failure throttle).
tenantSchema.index({ createdAt: 1 });
// The claims repair's outbox scan: releases not yet announced.
tenantSchema.index({ releaseAnnouncedAt: 1, releasedAt: 1 });

export type ClaimDocument = Omit<Claim, 'id'> & {
  _id: string;
  poolKey: string;
  /** Arrival order (microseconds, see the claim API): pending claims are served by (seq, _id). */
  seq: number;
  sshPublicKey?: string;
  expiringNotifiedAt?: Date;
  /** Set while a check run holds the claim (ClaimStore.beginCheckRun). */
  checksRunUntil?: Date;
  updatedAt: Date;
};
export const claimSchema = new Schema<ClaimDocument>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    labId: { type: String, required: true },
    kubernetesVersion: { type: String, required: true },
    poolKey: { type: String, required: true },
    state: { type: String, required: true, enum: claimStates },
    seq: { type: Number, required: true },
    tenantId: String,
    requestedAt: { type: Date, required: true },
    activatedAt: Date,
    expiresAt: Date,
    endedAt: Date,
    extendedMinutes: { type: Number, default: 0 },
    apiKeyId: String,
    sshPublicKey: String,
    expiringNotifiedAt: Date,
    // A check run holds the claim until then (one run at a time per claim, across claim API replicas); a run cut
    // short by a crash frees it when the time passes.
    checksRunUntil: Date,
  },
  { collection: 'claims', timestamps: true, versionKey: false },
);
claimSchema.index({ poolKey: 1, state: 1, seq: 1 });
claimSchema.index({ userId: 1, state: 1 });
claimSchema.index({ state: 1, expiresAt: 1 });
claimSchema.index({ apiKeyId: 1, userId: 1 });

/** One document per held claim slot of a user: `${userId}#${slot}`. Exists only while the claim is live. */
export interface ClaimHoldDocument {
  _id: string;
  userId: string;
  claimId: string;
  createdAt: Date;
}
export const claimHoldSchema = new Schema<ClaimHoldDocument>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    claimId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'claim_holds', versionKey: false },
);
claimHoldSchema.index({ claimId: 1 }, { unique: true });

/** `${apiKeyId}:${idempotencyKey}` → the claim that request created. */
export interface IdempotencyRecordDocument {
  _id: string;
  claimId: string;
  requestHash: string;
  createdAt: Date;
  /** Set once the claims repair saw the claim exist; until then it checks the record. */
  confirmedAt?: Date;
}
export const idempotencyRecordSchema = new Schema<IdempotencyRecordDocument>(
  {
    _id: { type: String, required: true },
    claimId: { type: String, required: true },
    requestHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    confirmedAt: Date,
  },
  { collection: 'idempotency_records', versionKey: false },
);
idempotencyRecordSchema.index({ confirmedAt: 1 });
idempotencyRecordSchema.index({ createdAt: 1 });

export type ApiKeyScope = 'claim' | 'admin';
export interface ApiKeyDocument {
  _id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  hash: string;
  prefix: string;
  createdAt: Date;
  revokedAt?: Date;
}
export const apiKeySchema = new Schema<ApiKeyDocument>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    scopes: { type: [String], required: true, enum: ['claim', 'admin'] },
    hash: { type: String, required: true },
    prefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: Date,
  },
  { collection: 'api_keys', versionKey: false },
);
apiKeySchema.index({ hash: 1 }, { unique: true });

/** What the pool manager last observed and decided for a pool, for operators (GET /v1/pools) and dashboards. */
export interface PoolStatusDocument {
  _id: string;
  labId: string;
  kubernetesVersion: string;
  minReady: number;
  maxTotal: number;
  ready: number;
  provisioning: number;
  claimed: number;
  pending: number;
  /** Tenants the pool wanted but host capacity did not allow. */
  capacityShortfall: number;
  message?: string;
  observedAt: Date;
}
export const poolStatusSchema = new Schema<PoolStatusDocument>(
  {
    _id: { type: String, required: true },
    labId: { type: String, required: true },
    kubernetesVersion: { type: String, required: true },
    minReady: Number,
    maxTotal: Number,
    ready: Number,
    provisioning: Number,
    claimed: Number,
    pending: Number,
    capacityShortfall: Number,
    message: String,
    observedAt: Date,
  },
  { collection: 'pool_status', versionKey: false },
);

/** An outgoing webhook subscription (admin API). Its target URL and signing secret are stored only sealed (AES-256-GCM). */
export interface WebhookSubscriptionDocument {
  _id: string;
  /** `sealWebhookUrl(url, WEBHOOK_SECRET_KEY, _id)`: its path and query may carry a token. */
  sealedUrl: string;
  /** The URL's host (and port), which logs and lists may show. */
  host: string;
  /** Event types delivered to it (exact types from contracts/subjects.json). */
  eventTypes: string[];
  description?: string;
  /** `sealWebhookSecret(secret, WEBHOOK_SECRET_KEY, _id)`: never the secret itself. */
  sealedSecret: string;
  /** First characters of the secret, to recognise it. */
  secretPrefix: string;
  createdAt: Date;
}
export const webhookSubscriptionSchema = new Schema<WebhookSubscriptionDocument>(
  {
    _id: { type: String, required: true },
    sealedUrl: { type: String, required: true },
    host: { type: String, required: true },
    eventTypes: { type: [String], required: true },
    description: String,
    sealedSecret: { type: String, required: true },
    secretPrefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'webhook_subscriptions', versionKey: false },
);
webhookSubscriptionSchema.index({ eventTypes: 1 });

export type WebhookDeliveryState = 'pending' | 'delivered' | 'dead';
/**
 * One event for one subscription: `_id` is `<subscription id>:<event id>`, so recording it twice (a redelivered
 * event) is one document, and a receiver gets each event once unless it failed to answer 2xx.
 */
export interface WebhookDeliveryDocument {
  _id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** The CloudEvents envelope as JSON: the body of every attempt (structured mode). */
  body: string;
  state: WebhookDeliveryState;
  /** Attempts made since it was recorded or last redelivered. */
  attempts: number;
  nextAttemptAt: Date;
  /** A dispatcher holds the delivery until then (epoch when nobody does). */
  leaseUntil: Date;
  lastError?: string;
  lastStatus?: number;
  createdAt: Date;
  deliveredAt?: Date;
  deadAt?: Date;
}
export const webhookDeliverySchema = new Schema<WebhookDeliveryDocument>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    body: { type: String, required: true },
    state: { type: String, required: true, enum: ['pending', 'delivered', 'dead'] },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    lastError: String,
    lastStatus: Number,
    createdAt: { type: Date, required: true },
    deliveredAt: Date,
    deadAt: Date,
  },
  { collection: 'webhook_deliveries', versionKey: false },
);
webhookDeliverySchema.index({ state: 1, nextAttemptAt: 1 });
webhookDeliverySchema.index({ subscriptionId: 1, state: 1, createdAt: 1 });
webhookDeliverySchema.index({ state: 1, deliveredAt: 1 });
