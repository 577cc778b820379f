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
  TenantDocument,
} from './schemas';
