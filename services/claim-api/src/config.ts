// The claim API's configuration: the platform's variables plus its own port, per-user limit and access details.
import { IsOptional, Matches } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';

export class ClaimApiConfig extends PlatformConfig {
  @EnvIntegerInRange(0, 65535)
  CLAIM_API_PORT: number = 8080;

  /** How many live (pending or active) claims one user may hold at once. */
  @EnvIntegerInRange(1, 10)
  MAX_CLAIMS_PER_USER: number = 1;

  /** Fixes the development admin key's value; set only in development. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'DEV_API_KEY must be 16-128 characters of A-Z a-z 0-9 _ -' })
  DEV_API_KEY?: string = undefined;
}
