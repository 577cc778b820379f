// What every service is made of: validated config, JSON logs, metrics, health and readiness, and the connections it
// declares (MongoDB, NATS, Kubernetes), each registered as a readiness check and closed on shutdown.
import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { PlatformConfig } from '@kubelabs/config';
import { Persistence } from '@kubelabs/persistence';
import { HealthController } from './health.controller';
import { loggerParams } from './logger';
import { Metrics, MetricsController } from './metrics';
import { Readiness } from './readiness';
import { connectionProviders, NATS_CONNECTION, SERVICE_NAME, type Connections } from './connections';

export interface RuntimeOptions {
  service: string;
  config: PlatformConfig;
  connections: Connections;
}

/** Closes the connections last, after the transport has drained its consumers (Nest calls shutdown hooks in order). */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  constructor(
    @Optional() private readonly persistence?: Persistence,
    @Optional() @Inject(NATS_CONNECTION) private readonly nats?: NatsConnection,
  ) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`closing connections${signal ? ` after ${signal}` : ''}`);
    if (this.nats && !this.nats.isClosed()) await this.nats.drain().catch(() => undefined);
    await this.persistence?.close().catch(() => undefined);
    this.logger.log('connections closed');
  }
}

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_NAME, useValue: options.service },
      { provide: PlatformConfig, useValue: options.config },
      ...(options.config.constructor !== PlatformConfig
        ? [{ provide: options.config.constructor, useValue: options.config }]
        : []),
      Readiness,
      Metrics,
      ...connectionProviders(options.service, options.connections),
      ConnectionCloser,
    ];
    return {
      module: RuntimeModule,
      imports: [LoggerModule.forRoot(loggerParams(options.service, options.config.LOG_LEVEL))],
      controllers: [HealthController, MetricsController],
      providers,
      exports: providers,
    };
  }
}
