// What every service is made of: validated config, JSON logs, metrics, health and readiness, and the connections it
// declares (MongoDB, NATS, Kubernetes), each registered as a readiness check and closed on shutdown.
import { DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { PlatformConfig } from '@kubelabs/config';
import { Persistence } from '@kubelabs/persistence';
import { HealthController } from './health.controller';
import { loggerParams } from './logger';
import { Metrics, MetricsController } from './metrics';
import { Readiness } from './readiness';
import { connectionProviders, type Connections } from './connections';

export interface RuntimeOptions {
  service: string;
  config: PlatformConfig;
  connections: Connections;
}

export const SERVICE_NAME = Symbol('SERVICE_NAME');

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  constructor(@Inject(Persistence) private readonly persistence: Persistence | null) {}
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`closing connections${signal ? ` after ${signal}` : ''}`);
    await this.persistence?.close().catch(() => undefined);
  }
}

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_NAME, useValue: options.service },
      { provide: PlatformConfig, useValue: options.config },
      { provide: options.config.constructor, useValue: options.config },
      Readiness,
      Metrics,
      ...connectionProviders(options.connections),
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
