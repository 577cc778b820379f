// Path, query, header and body shapes of the claim routes other than creation.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DomainError } from '@kubelabs/domain';

export class ClaimIdParam {
  @ApiProperty({ example: 'c-7f3a9c2e1b0d4a55', pattern: '^c-[a-f0-9]{16}$' })
  @Matches(/^c-[a-f0-9]{16}$/, { message: 'id must be a claim id like c-7f3a9c2e1b0d4a55' })
  id!: string;
}

export class ListClaimsQuery {
  @ApiPropertyOptional({ example: 'ada', pattern: '^[A-Za-z0-9._@:+-]{1,128}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._@:+-]{1,128}$/, { message: 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : + -' })
  userId?: string;
}

export class ExtendClaimRequest {
  @ApiProperty({ type: 'integer', example: 15, minimum: 1, maximum: 480 })
  @IsInt({ message: 'minutes must be an integer' })
  @Min(1, { message: 'minutes must be at least 1' })
  @Max(480, { message: 'minutes must be at most 480' })
  minutes!: number;
}

/** What an Idempotency-Key header may hold (for `@ApiHeader({ schema: { pattern: idempotencyKeyPattern.source } })`). */
export const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The optional Idempotency-Key header: a retried request with the same key gets the same claim. */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !idempotencyKeyPattern.test(value)) {
    throw new DomainError('input.invalid', 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  return value;
}
