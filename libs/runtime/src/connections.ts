// The connections a service declares, as Nest providers: one MongoDB connection, one NATS connection shared by the
// JetStream transport, the event publisher and the event tap, and one Kubernetes client. Each registers a readiness
// check. Connecting is bounded: a backing service that does not answer in time stops the start-up with its name.
import { Logger, type Provider } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { PlatformConfig } from '@kubelabs/config';
import { validateEvent } from '@kubelabs/contracts';
import { KubeClient } from '@kubelabs/kube';
import { EventPublisher } from '@kubelabs/messaging';
import { Persistence } from '@kubelabs/persistence';
import { Readiness } from './readiness';

export interface Connections {
  mongo?: boolean;
  nats?: boolean;
  kube?: boolean;
}

/** Injection token of the service's NATS connection. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

const logger = new Logger('Connections');

export function connectionProviders(service: string, connections: Connections): Provider[] {
  const providers: Provider[] = [];
  if (connections.mongo) {
    providers.push({
      provide: Persistence,
      inject: [PlatformConfig, Readiness],
      useFactory: async (config: PlatformConfig, readiness: Readiness) => {
        const persistence = await Persistence.connect(config.MONGO_URL).catch((error: Error) => {
          throw new Error(`MongoDB at MONGO_URL did not answer: ${error.message}`);
        });
        readiness.register('mongo', () => persistence.ping());
        logger.log('connected to MongoDB');
        return persistence;
      },
    });
  }
  if (connections.nats) {
    providers.push(
      {
        provide: NATS_CONNECTION,
        inject: [PlatformConfig, Readiness],
        useFactory: async (config: PlatformConfig, readiness: Readiness) => {
          const nc = await connect({
            servers: config.NATS_URL,
            name: service,
            maxReconnectAttempts: -1,
            reconnectTimeWait: 500,
          }).catch((error: Error) => {
            throw new Error(`NATS at NATS_URL did not answer: ${error.message}`);
          });
          readiness.register('nats', () => !nc.isClosed() && !nc.isDraining() && nc.info !== undefined);
          logger.log('connected to NATS');
          return nc;
        },
      },
      {
        provide: EventPublisher,
        inject: [NATS_CONNECTION, PlatformConfig],
        useFactory: (nc: NatsConnection, config: PlatformConfig) =>
          new EventPublisher(jetstream(nc), {
            source: `/kubelabs/${service}`,
            subjectPrefix: config.NATS_SUBJECT_PREFIX,
            validator: validateEvent,
          }),
      },
    );
  }
  if (connections.kube) {
    providers.push({
      provide: KubeClient,
      inject: [PlatformConfig, Readiness],
      useFactory: (config: PlatformConfig, readiness: Readiness) => {
        const kube = KubeClient.create({
          ...(config.KUBECONFIG ? { kubeconfigPath: config.KUBECONFIG } : {}),
          fieldManager: `kubelabs-${service}`,
        });
        readiness.register('kubernetes', () => kube.ping({ timeoutMs: 2_000 }).then(() => true));
        return kube;
      },
    });
  }
  return providers;
}
