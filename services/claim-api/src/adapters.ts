// The claim API's ports implemented on the platform's libraries: events out through JetStream, an event tap on
// core NATS for server-sent events, and Secret reads from the host cluster.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { PlatformConfig } from '@kubelabs/config';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AnyFact } from '@kubelabs/contracts';
import { KubeClient } from '@kubelabs/kube';
import { EventPublisher, isEventEnvelope, MessagingError, toNatsSubject } from '@kubelabs/messaging';
import { NATS_CONNECTION } from '@kubelabs/runtime';
import { EventBus } from './event-bus';
import { EventTap, type TappedEvent } from './event-tap';
import { HostCluster } from './host-cluster';

const publishAttempts = 3;

@Injectable()
export class JetStreamEventBus extends EventBus {
  private readonly logger = new Logger('EventBus');
  constructor(private readonly publisher: EventPublisher) {
    super();
  }

  /** Bounded retries; the state is already durable in MongoDB, so a lost event is recovered by the resync loops. */
  async publish(fact: AnyFact): Promise<boolean> {
    // The fact's one id on every attempt: a retry after a lost acknowledgement is de-duplicated, not published twice.
    for (let attempt = 1; attempt <= publishAttempts; attempt++) {
      try {
        await this.publisher.publishFact(fact);
        return true;
      } catch (error) {
        // An invalid payload stays invalid: only a failed publish is worth another attempt.
        const invalid = error instanceof MessagingError && error.code === 'messaging.invalid_event';
        if (invalid || attempt === publishAttempts) {
          this.logger.error(
            { err: error, type: fact.type, subject: fact.subject, id: fact.id },
            'event not published; resync loops will converge',
          );
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    return false;
  }
}

@Injectable()
export class NatsEventTap extends EventTap implements OnModuleDestroy {
  private readonly listeners = new Set<(event: TappedEvent) => void>();
  private subscriptions: Subscription[] = [];
  private readonly prefix: string;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    config: PlatformConfig,
  ) {
    super();
    this.prefix = config.NATS_SUBJECT_PREFIX;
  }

  subscribe(listener: (event: TappedEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.subscriptions.length === 0) {
      this.subscriptions = ['tenant.>', 'claim.>'].map((subject) =>
        this.nc.subscribe(toNatsSubject(this.prefix, subject), { callback: (error, msg) => this.deliver(error, msg) }),
      );
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.onModuleDestroy();
    };
  }

  private deliver(error: Error | null, msg: Msg): void {
    if (error) return;
    let envelope: unknown;
    try {
      envelope = msg.json();
    } catch {
      return;
    }
    if (!isEventEnvelope(envelope)) return;
    for (const each of this.listeners) each({ id: envelope.id, type: envelope.type, data: envelope.data });
  }

  onModuleDestroy(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }
}

@Injectable()
export class KubeHostCluster extends HostCluster {
  constructor(private readonly kube: KubeClient) {
    super();
  }

  async readSecretKey(namespace: string, name: string, key: string): Promise<string | null> {
    const secret = await this.kube.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace,
      name,
    });
    const value = secret?.data?.[key];
    return value ? Buffer.from(value, 'base64').toString('utf8') : null;
  }

  async readSecretData(namespace: string, name: string): Promise<Record<string, string> | null> {
    const secret = await this.kube.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace,
      name,
    });
    return secret ? (secret.data ?? {}) : null;
  }
}
