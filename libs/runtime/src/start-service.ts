// Starts one platform service: a NestJS app on Fastify with the runtime module, the JetStream transport on the
// service's shared NATS connection (its durable consumers and commands), and a clean SIGTERM: not-ready first, then
// stop pulling and finish in-flight handlers, close HTTP, drain NATS, close MongoDB.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Module,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConfigOrExit, type PlatformConfig } from '@kubelabs/config';
import { validateMessage } from '@kubelabs/contracts';
import {
  defaultStreams,
  EVENTS_STREAM,
  JetStreamExceptionFilter,
  JetStreamServer,
  type ConsumerSpec,
  type StreamSpec,
} from '@kubelabs/messaging';
import { NATS_CONNECTION, type Connections } from './connections';
import { Metrics } from './metrics';
import { Readiness } from './readiness';
import { RuntimeModule } from './runtime.module';

export interface ServiceDefinition {
  service: string;
  module: Type;
  config: PlatformConfig;
  port: number;
  connections: Connections;
  /** Durable JetStream consumers feeding this service's @EventPattern handlers. */
  consumers?: Omit<ConsumerSpec, 'stream'>[];
  /** Whether this service answers @MessagePattern request/reply commands. */
  commands?: boolean;
  /** Keep each request's raw body as `req.rawBody` (signed webhooks: Slack, Discord verify the exact bytes). */
  rawBody?: boolean;
  /** Called with the app before it listens (OpenAPI, filters, ...). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

@Injectable()
class MarkNotReadyOnShutdown implements BeforeApplicationShutdown {
  constructor(@Inject(Readiness) private readonly readiness: Readiness) {}
  beforeApplicationShutdown(): void {
    this.readiness.markShuttingDown();
  }
}

export async function startService(definition: ServiceDefinition): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      RuntimeModule.forRoot({
        service: definition.service,
        config: definition.config,
        connections: definition.connections,
      }),
      definition.module,
    ],
    providers: [MarkNotReadyOnShutdown],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule,
    new FastifyAdapter({ bodyLimit: 256 * 1024, trustProxy: trustProxyOf(definition.config.TRUST_PROXY) }),
    {
      bufferLogs: true,
      abortOnError: false,
      rawBody: definition.rawBody ?? false,
    },
  );
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  if (definition.connections.nats && ((definition.consumers?.length ?? 0) > 0 || definition.commands)) {
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    const transport = new JetStreamServer({
      connection: nc,
      name: definition.service,
      subjectPrefix: definition.config.NATS_SUBJECT_PREFIX,
      streams: platformStreams(definition.config.NATS_SUBJECT_PREFIX, definition.config.NATS_STREAM_REPLICAS),
      consumers: (definition.consumers ?? []).map((consumer) => ({
        ...consumer,
        stream: eventsStreamName(definition.config.NATS_SUBJECT_PREFIX),
      })),
      commandQueue: definition.service,
      validator: validateMessage,
      shutdownTimeoutMs: definition.config.SHUTDOWN_GRACE_MS,
    });
    instrumentTransport(transport, app.get(Metrics), app.get(Readiness));
    const microservice = app.connectMicroservice({ strategy: transport }, { inheritAppConfig: false });
    microservice.useGlobalFilters(new JetStreamExceptionFilter());
    await app.startAllMicroservices();
  }
  await definition.configure?.(app);
  await app.listen({ port: definition.port, host: '0.0.0.0' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : definition.port;
  new Logger(definition.service).log({ port }, `${definition.service} listening on port ${port}`);
  return app;
}

function instrumentTransport(transport: JetStreamServer, metrics: Metrics, readiness: Readiness): void {
  const deliveries = metrics.counter('kubelabs_event_deliveries_total', 'Event deliveries by type and outcome', [
    'type',
    'outcome',
  ]);
  transport.on('delivery', (event) => deliveries.inc({ type: event.type ?? 'unknown', outcome: event.outcome }));
  readiness.register('consumers', () => transport.health().ready);
}

export type { INestApplication };

/** Stream names carry the subject prefix, so several platforms (or test runs) can share one NATS server. */
export function platformStreams(subjectPrefix: string, replicas = 1): StreamSpec[] {
  return defaultStreams({ nameSuffix: streamSuffix(subjectPrefix) }).map((stream) => ({ ...stream, replicas }));
}

export function eventsStreamName(subjectPrefix: string): string {
  return `${EVENTS_STREAM}${streamSuffix(subjectPrefix)}`;
}

function streamSuffix(subjectPrefix: string): string {
  const token = subjectPrefix
    .replace(/\.$/, '')
    .replace(/[^A-Za-z0-9]/g, '_')
    .toUpperCase();
  return token ? `_${token}` : '';
}

/** A service's whole main: load and validate its config (or exit 78 with one line), start it, or exit 1 saying why. */
export function runService<C extends PlatformConfig>(
  schema: new () => C,
  define: (config: C) => ServiceDefinition,
): void {
  const config = loadConfigOrExit(schema);
  const definition = define(config);
  startService(definition).catch((error: unknown) => {
    process.stderr.write(
      `${definition.service} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}

/** Fastify's trustProxy from the TRUST_PROXY setting: none, a hop count, or the proxies' addresses. */
export function trustProxyOf(setting: string): boolean | string | string[] {
  if (setting === '') return false;
  // A hop count: Fastify takes a number (its Nest adapter's type omits that form).
  if (/^[0-9]+$/.test(setting)) return Number(setting) as unknown as string;
  return setting.split(',').map((entry) => entry.trim());
}
