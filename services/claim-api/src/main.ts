// Entry point of the claim API service.
import 'reflect-metadata';
import { loadConfigOrExit } from '@kubelabs/config';
import { startService } from '@kubelabs/runtime';
import { SwaggerModule } from '@nestjs/swagger';
import { ClaimApiModule } from './claim-api.module';
import { ClaimApiConfig } from './config';
import { buildOpenApiDocument } from './openapi';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ClaimApiConfig);
  await startService({
    service: 'claim-api',
    module: ClaimApiModule,
    config,
    port: config.CLAIM_API_PORT,
    connections: { mongo: true, nats: true, kube: true },
    commands: true,
    configure: (app) => SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json' }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`claim-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
