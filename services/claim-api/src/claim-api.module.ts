// The claim API: the HTTP gateway (and NATS commands) through which students and integrations claim labs.
import { Inject, Logger, Module, ValidationPipe, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { DomainError } from '@kubelabs/domain';
import { JetStreamEventBus, KubeHostCluster, NatsEventTap } from './adapters';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeys } from './auth/api-keys';
import { ClaimApiSettings } from './claims/claim-api-settings';
import { RepairClaims } from './claims/repair-claims/repair-claims';
import { ClaimProgress } from './claims/claim-events/claim-progress';
import { ClaimsController } from './claims/claims.controller';
import { CreateClaim } from './claims/create-claim/create-claim';
import { ManageClaims } from './claims/manage-claims';
import { RunClaimChecks } from './claims/run-claim-checks/run-claim-checks';
import { TenantKubeconfig } from './claims/tenant-kubeconfig';
import { ClaimCommandsController } from './commands/claim-commands.controller';
import { ClaimApiConfig } from './config';
import { EventBus } from './event-bus';
import { EventTap } from './event-tap';
import { HostCluster } from './host-cluster';
import { LabCatalog } from './labs/lab-catalog';
import { LabAdminController, LabsController } from './labs/labs.controller';
import { PoolsController } from './pools/pools.controller';
import { TenantsController } from './tenants/tenants.controller';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { ManageWebhooks } from './webhooks/manage-webhooks';
import { WebhooksController } from './webhooks/webhooks.controller';

/** Input is validated at the edge: unknown properties are refused, and every message names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const messages = errors.flatMap((e) =>
        Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }),
      );
      return new DomainError('input.invalid', messages.join('; '), { errors: messages });
    },
  });
}

class DevApiKey implements OnApplicationBootstrap {
  constructor(
    @Inject(ApiKeys) private readonly apiKeys: ApiKeys,
    @Inject(ClaimApiConfig) private readonly config: ClaimApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.DEV_API_KEY) return;
    await this.apiKeys.ensure('development admin', ['admin'], this.config.DEV_API_KEY);
    new Logger('DevApiKey').log('development admin key installed (value from DEV_API_KEY)');
  }
}

@Module({
  controllers: [
    LabsController,
    LabAdminController,
    ClaimsController,
    PoolsController,
    TenantsController,
    ApiKeysController,
    WebhooksController,
    ClaimCommandsController,
  ],
  providers: [
    RepairClaims,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    {
      provide: ClaimApiSettings,
      inject: [ClaimApiConfig],
      useFactory: (config: ClaimApiConfig) => new ClaimApiSettings(config),
    },
    { provide: EventBus, useClass: JetStreamEventBus },
    { provide: EventTap, useClass: NatsEventTap },
    { provide: HostCluster, useClass: KubeHostCluster },
    ApiKeys,
    ApiKeyGuard,
    LabCatalog,
    CreateClaim,
    ManageClaims,
    ClaimProgress,
    TenantKubeconfig,
    RunClaimChecks,
    DevApiKey,
    ManageWebhooks,
  ],
})
export class ClaimApiModule {}
