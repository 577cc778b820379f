// Typed domain errors: a stable code and a human message, no knowledge of HTTP. One exception filter maps codes to
// problem+json statuses at the edge.
export type DomainErrorCode =
  | 'lab.not_found'
  | 'lab.version_not_offered'
  | 'lab.invalid'
  | 'claim.not_found'
  | 'claim.user_limit_reached'
  | 'claim.not_active'
  | 'claim.extension_exceeded'
  | 'claim.idempotency_conflict'
  | 'claim.access_opening'
  | 'claim.checks_running'
  | 'lab.no_checks'
  | 'tenant.not_found'
  | 'auth.unauthenticated'
  | 'auth.forbidden'
  | 'auth.rate_limited'
  | 'api_key.not_found'
  | 'webhook.not_found'
  | 'webhook.target_refused'
  | 'webhook.disabled'
  | 'persistence.duplicate_key'
  | 'persistence.conflict'
  | 'input.invalid';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
