// Entry point of the syncer. This foundation starts it with its connections, health, readiness and metrics; mirroring
// the Services and Ingresses a student creates inside a tenant cluster onto the host is the subject of its own issue.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformConfig } from '@kubelabs/config';
import { runService } from '@kubelabs/runtime';

class SyncerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8084;
}

@Module({})
class SyncerModule {}

runService(SyncerConfig, (config) => ({
  service: 'syncer',
  module: SyncerModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: true },
}));
