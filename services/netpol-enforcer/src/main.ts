// Entry point of the network-policy enforcer: isolates every tenant namespace before its VMs boot, opens SSH and the
// tenant API to the student while a claim holds the tenant, keeps quotas, and restores whatever is changed by hand.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { runService } from '@kubelabs/runtime';
import { NetpolEnforcerConfig } from './config';
import { EnforcerLoop } from './enforcer-loop';
import { enforcerConsumer, TenantEventsController } from './tenant-events.controller';

@Module({ controllers: [TenantEventsController], providers: [EnforcerLoop] })
class NetpolEnforcerModule {}

runService(NetpolEnforcerConfig, (config) => ({
  service: 'netpol-enforcer',
  module: NetpolEnforcerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
  consumers: [enforcerConsumer],
}));
