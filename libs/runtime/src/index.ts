// What every service is made of: start-up, connections, logs, metrics, health and readiness.
export { RuntimeModule, type RuntimeOptions } from './runtime.module';
export { eventsStreamName, platformStreams, runService, startService, type ServiceDefinition } from './start-service';
export { NATS_CONNECTION, SERVICE_NAME, type Connections } from './connections';
export { Metrics, MetricsController } from './metrics';
export { Readiness, type ReadinessCheck } from './readiness';
export { HealthController } from './health.controller';
export { loggerParams, redactedPaths } from './logger';
