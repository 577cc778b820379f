// Entry point of the provisioner service.
import 'reflect-metadata';
import { loadConfigOrExit } from '@kubelabs/config';
import { startService } from '@kubelabs/runtime';
import { ProvisionerConfig } from './config';
import { ProvisionerModule } from './provisioner.module';
import { provisionerConsumer } from './tenant-events.controller';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ProvisionerConfig);
  await startService({
    service: 'provisioner',
    module: ProvisionerModule,
    config,
    port: config.HTTP_PORT,
    connections: { mongo: true, nats: true, kube: true },
    consumers: [provisionerConsumer],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`provisioner failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
