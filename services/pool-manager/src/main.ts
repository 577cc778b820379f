// Entry point of the pool manager service.
import 'reflect-metadata';
import { runService } from '@kubelabs/runtime';
import { PoolManagerConfig } from './config';
import { poolManagerConsumer } from './pool-events.controller';
import { PoolManagerModule } from './pool-manager.module';

runService(PoolManagerConfig, (config) => ({
  service: 'pool-manager',
  module: PoolManagerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
  consumers: [poolManagerConsumer],
}));
