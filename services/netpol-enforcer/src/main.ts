// Entry point of the network-policy enforcer. This foundation starts it with its connections, health, readiness and
// metrics; its reconciler (isolate every tenant, open SSH once claimed) is the subject of its own issue.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformConfig } from '@kubelabs/config';
import { runService } from '@kubelabs/runtime';

class NetpolEnforcerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8083;
}

@Module({})
class NetpolEnforcerModule {}

runService(NetpolEnforcerConfig, (config) => ({
  service: 'netpol-enforcer',
  module: NetpolEnforcerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
}));
