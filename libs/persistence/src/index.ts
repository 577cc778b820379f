// MongoDB persistence: the connection, the models and typed errors.
export { Persistence } from './persistence';
export { isDuplicateKeyError, toPersistenceError, withPersistenceErrors } from './persistence-error';
export type {
  ApiKeyDocument,
  ApiKeyScope,
  ClaimDocument,
  ClaimHoldDocument,
  IdempotencyRecordDocument,
  LabDocument,
  PoolStatusDocument,
  TenantDocument,
  WebhookDeliveryDocument,
  WebhookDeliveryState,
  WebhookSubscriptionDocument,
} from './schemas';
export { ClaimStore, toClaim } from './claim-store';
export { TenantStore, toTenant, type NewTenant } from './tenant-store';
export { mergeConditions, sameConditions, type ConditionUpdate } from './merge-conditions';
export { labFromDocument, labToDocumentFields } from './lab-mapping';
export { WebhookStore, type DeliveryAttemptRecord } from './webhook-store';
