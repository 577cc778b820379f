// RFC 9457 problem details: the one shape every HTTP error of the claim API takes.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DomainErrorCode } from '@kubelabs/domain';

export const problemContentType = 'application/problem+json';
export const problemTypeBase = 'https://kubelabs.dev/problems/';

export class ProblemDetails {
  @ApiProperty({ format: 'uri', example: 'https://kubelabs.dev/problems/claim.user_limit_reached' })
  type!: string;
  @ApiProperty({ example: 'Conflict' })
  title!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 409 })
  status!: number;
  @ApiProperty({ example: 'user ada already holds 1 live claim(s)' })
  detail!: string;
  @ApiPropertyOptional({ example: '/v1/claims' })
  instance?: string;
  @ApiPropertyOptional({ description: 'Stable machine-readable code', example: 'claim.user_limit_reached' })
  code?: string;
  @ApiPropertyOptional({ description: 'Per-field validation errors', type: [String] })
  errors?: string[];
}

/** HTTP status of each domain error code. The domain never knows HTTP; this table is the only mapping. */
export const statusOfCode: Record<DomainErrorCode, number> = {
  'lab.not_found': 404,
  'lab.version_not_offered': 404,
  'lab.invalid': 400,
  'claim.not_found': 404,
  'claim.user_limit_reached': 409,
  'claim.not_active': 409,
  'claim.extension_exceeded': 409,
  'claim.idempotency_conflict': 422,
  'claim.access_opening': 409,
  'claim.checks_running': 409,
  'lab.no_checks': 409,
  'tenant.not_found': 404,
  'auth.unauthenticated': 401,
  'auth.forbidden': 403,
  'auth.rate_limited': 429,
  'api_key.not_found': 404,
  'webhook.not_found': 404,
  'webhook.target_refused': 422,
  'webhook.disabled': 503,
  'persistence.duplicate_key': 409,
  'persistence.conflict': 409,
  'input.invalid': 400,
};
