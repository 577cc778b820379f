// The settings the claim use cases need, derived once from the validated config.
import { Injectable } from '@nestjs/common';
import type { ClaimApiConfig } from '../config';

@Injectable()
export class ClaimApiSettings {
  readonly maxClaimsPerUser: number;

  constructor(config: ClaimApiConfig) {
    this.maxClaimsPerUser = config.MAX_CLAIMS_PER_USER;
  }
}
