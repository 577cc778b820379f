// The settings the claim use cases need, derived once from the validated config.
import { Injectable } from '@nestjs/common';
import type { AccessSettings } from '@kubelabs/domain';
import type { ClaimApiConfig } from '../config';

@Injectable()
export class ClaimApiSettings {
  readonly maxClaimsPerUser: number;
  readonly sshPort: number;
  private readonly sshHostTemplate: string;

  constructor(config: ClaimApiConfig) {
    this.maxClaimsPerUser = config.MAX_CLAIMS_PER_USER;
    this.sshPort = config.SSH_PORT;
    this.sshHostTemplate = config.SSH_HOST_TEMPLATE;
  }

  get access(): AccessSettings {
    return { sshHostTemplate: this.sshHostTemplate, sshPort: this.sshPort };
  }
}
