// Maps driver errors to typed domain errors, so callers never parse MongoDB error codes themselves.
import { DomainError } from '@kubelabs/domain';

interface MongoLikeError {
  code?: number;
  keyValue?: Record<string, unknown>;
  keyPattern?: Record<string, unknown>;
  message?: string;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as MongoLikeError).code === 11000;
}

/** Rethrows a duplicate-key violation as DomainError('persistence.duplicate_key'); anything else unchanged. */
export function toPersistenceError(error: unknown, collection: string): unknown {
  if (!isDuplicateKeyError(error)) return error;
  const mongo = error as MongoLikeError;
  const keys = Object.keys(mongo.keyPattern ?? mongo.keyValue ?? {});
  if (keys.length === 0) keys.push(...keysFromMessage(mongo.message ?? ''));
  return new DomainError(
    'persistence.duplicate_key',
    `a ${collection} document with the same ${keys.join(', ') || 'key'} already exists`,
    {
      collection,
      keys,
    },
  );
}

export async function withPersistenceErrors<T>(collection: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toPersistenceError(error, collection);
  }
}

/** Servers that omit keyPattern still name the index in the message: "index: hash_1 dup key: ..." → ["hash"]. */
function keysFromMessage(message: string): string[] {
  const index = /index: (\S+) dup key/.exec(message)?.[1];
  if (!index) return [];
  const parts = index.split('_');
  const keys: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) keys.push(parts[i]!);
  return keys;
}
