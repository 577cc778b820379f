// Entry point of the claim API service.
import 'reflect-metadata';
import { SwaggerModule } from '@nestjs/swagger';
import { runService } from '@kubelabs/runtime';
import { ClaimApiModule } from './claim-api.module';
import { ClaimApiConfig } from './config';
import { buildOpenApiDocument } from './openapi';

runService(ClaimApiConfig, (config) => ({
  service: 'claim-api',
  module: ClaimApiModule,
  config,
  port: config.CLAIM_API_PORT,
  connections: { mongo: true, nats: true, kube: true },
  commands: true,
  configure: (app) =>
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json' }),
}));
