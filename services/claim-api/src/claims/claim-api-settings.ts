// The settings the claim use cases need, derived once from the validated config.
import { Injectable } from '@nestjs/common';
import type { ClaimApiConfig } from '../config';

@Injectable()
export class ClaimApiSettings {
  readonly maxClaimsPerUser: number;
  /** Where checks reach a tenant's API and its control plane's SSH; `{namespace}` is replaced. */
  readonly tenantApiUrlTemplate: string;
  readonly tenantSshAddressTemplate: string;
  /** The longest a check run may take (each check is cut at it). */
  readonly checkRunTimeoutMs: number;

  constructor(config: ClaimApiConfig) {
    this.maxClaimsPerUser = config.MAX_CLAIMS_PER_USER;
    this.tenantApiUrlTemplate = config.TENANT_API_URL_TEMPLATE;
    this.tenantSshAddressTemplate = config.TENANT_SSH_ADDRESS_TEMPLATE;
    this.checkRunTimeoutMs = config.CHECK_RUN_TIMEOUT_MS;
  }
}
