// The claim API's configuration: the platform's variables plus its own port, per-user limit and access details.
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { EnvInteger, PlatformConfig } from '@kubelabs/config';

export class ClaimApiConfig extends PlatformConfig {
  @EnvInteger()
  @IsInt({ message: 'CLAIM_API_PORT must be an integer port' })
  @Min(0, { message: 'CLAIM_API_PORT must be an integer port' })
  @Max(65535, { message: 'CLAIM_API_PORT must be an integer port' })
  CLAIM_API_PORT: number = 8080;

  /** How many live (pending or active) claims one user may hold at once. */
  @EnvInteger()
  @IsInt({ message: 'MAX_CLAIMS_PER_USER must be an integer from 1 to 10' })
  @Min(1, { message: 'MAX_CLAIMS_PER_USER must be an integer from 1 to 10' })
  @Max(10, { message: 'MAX_CLAIMS_PER_USER must be an integer from 1 to 10' })
  MAX_CLAIMS_PER_USER: number = 1;

  /** Fixes the development admin key's value; set only in development. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'DEV_API_KEY must be 16-128 characters of A-Z a-z 0-9 _ -' })
  DEV_API_KEY?: string = undefined;
}
