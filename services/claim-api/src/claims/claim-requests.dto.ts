// Path, query, header and body shapes of the claim routes other than creation. Id patterns come from
// contracts/common.schema.json (`fieldRules`): a claim id or user id the NATS commands accept, HTTP accepts too.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { fieldRules } from '@kubelabs/contracts';
import { DomainError } from '@kubelabs/domain';

const { claimId, userId, idempotencyKey } = fieldRules;

export class ClaimIdParam {
  @ApiProperty({ example: 'c-7f3a9c2e1b0d4a55', description: claimId.description, pattern: claimId.pattern })
  @Matches(claimId.regex, { message: 'id must be a claim id like c-7f3a9c2e1b0d4a55' })
  id!: string;
}

export class ListClaimsQuery {
  @ApiPropertyOptional({
    example: 'slack:T024BE7LD:U0G9QF9C6',
    description: userId.description,
    pattern: userId.pattern,
  })
  @IsOptional()
  @Matches(userId.regex, {
    message: 'userId must be 1-128 characters: a letter or digit, then letters, digits or . _ : @ + -',
  })
  userId?: string;
}

export class ExtendClaimRequest {
  @ApiPropertyOptional({
    type: 'integer',
    example: 15,
    minimum: 1,
    maximum: 480,
    description:
      "Minutes to add. Without it (or without a body) the claim is extended by the lab's `extensionStepMinutes`, " +
      "cut to what is left of the lab's maximum extension.",
  })
  @IsOptional()
  @IsInt({ message: 'minutes must be an integer' })
  @Min(1, { message: 'minutes must be at least 1' })
  @Max(480, { message: 'minutes must be at most 480' })
  minutes?: number;
}

/**
 * What an Idempotency-Key header may hold: the contract's `idempotencyKey`, the same rule as the NATS command's field
 * (its text has no `/`, so `.source` is the schema's pattern verbatim, for `@ApiHeader`).
 */
export const idempotencyKeyPattern = idempotencyKey.regex;

/** The optional Idempotency-Key header: a retried request with the same key gets the same claim. */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !idempotencyKeyPattern.test(value)) {
    throw new DomainError('input.invalid', 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  return value;
}
