// Entry point of the provisioner service.
import 'reflect-metadata';
import { runService } from '@kubelabs/runtime';
import { ProvisionerConfig } from './config';
import { ProvisionerModule } from './provisioner.module';
import { provisionerConsumer } from './tenant-events.controller';

runService(ProvisionerConfig, (config) => ({
  service: 'provisioner',
  module: ProvisionerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
  consumers: [provisionerConsumer],
}));
