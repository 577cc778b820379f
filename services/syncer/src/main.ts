// Entry point of the syncer: what a student exposes inside their tenant cluster (NodePort and LoadBalancer Services,
// Ingresses) becomes reachable from outside through host objects in the tenant's namespace, for as long as it is claimed.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { runService } from '@kubelabs/runtime';
import { SyncerConfig } from './config';
import { SyncerLoop } from './syncer-loop';
import { syncerConsumer, TenantEventsController } from './tenant-events.controller';

@Module({ controllers: [TenantEventsController], providers: [SyncerLoop] })
class SyncerModule {}

runService(SyncerConfig, (config) => ({
  service: 'syncer',
  module: SyncerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
  consumers: [syncerConsumer],
}));
