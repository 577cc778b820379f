// Entry point of the pool manager service.
import 'reflect-metadata';
import { loadConfigOrExit } from '@kubelabs/config';
import { startService } from '@kubelabs/runtime';
import { PoolManagerConfig } from './config';
import { poolManagerConsumer } from './pool-events.controller';
import { PoolManagerModule } from './pool-manager.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PoolManagerConfig);
  await startService({
    service: 'pool-manager',
    module: PoolManagerModule,
    config,
    port: config.HTTP_PORT,
    connections: { mongo: true, nats: true, kube: true },
    consumers: [poolManagerConsumer],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`pool-manager failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
