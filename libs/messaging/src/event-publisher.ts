// Publishes domain events: wraps the payload in the envelope, validates it, sets the JetStream message id for
// de-duplication and the trace context headers, and returns the stream's acknowledgement.
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { EventPayloads, EventType, Fact } from '@kubelabs/contracts';
import { checkEnvelope, createEnvelope, encodeEnvelope, type EventEnvelope, type EventValidator } from './envelope';
import { MessagingError } from './messaging-errors';
import { toNatsSubject } from './topology';
import { outgoingTraceContext, writeTraceHeaders, type TraceContext } from './trace-context';

export interface EventPublisherOptions {
  /** The envelope `source` of events this publisher builds, e.g. `/kubelabs/provisioner`. */
  source: string;
  subjectPrefix?: string;
  /** Checks payloads before they leave (the contracts lib's JSON Schemas). */
  validator?: EventValidator;
  /** How long to wait for the stream's acknowledgement. */
  timeoutMs?: number;
}

export interface PublishOptions {
  /** The entity the event is about (envelope `subject`). */
  subject?: string;
  /** Set it to make re-publishing the same event idempotent; defaults to a fresh UUID. */
  id?: string;
  /** A trace context to continue when no OpenTelemetry span is active (e.g. the one a handler received). */
  trace?: TraceContext;
}

/** The stream's acknowledgement (`duplicate: true` when the id was seen within the window) and the event's id. */
export type PublishAck = PubAck & { id: string; type: string };

export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly options: EventPublisherOptions,
  ) {}

  /** Publishes one event; the payload's type is the contract's for `type`, so a wrong payload does not compile. */
  publish<T extends EventType>(type: T, data: EventPayloads[T], options: PublishOptions = {}): Promise<PublishAck> {
    const envelope = createEnvelope(type, data, {
      source: this.options.source,
      ...(options.subject !== undefined && { subject: options.subject }),
      ...(options.id !== undefined && { id: options.id }),
    });
    return this.publishEnvelope(envelope, options.trace ? { trace: options.trace } : {});
  }

  /** Publishes a fact from a contracts builder, under the fact's own id (the same on every publish of it). */
  publishFact<T extends EventType>(fact: Fact<T>, options: { trace?: TraceContext } = {}): Promise<PublishAck> {
    return this.publish(fact.type, fact.data, { subject: fact.subject, id: fact.id, ...options });
  }

  async publishEnvelope(envelope: EventEnvelope, options: { trace?: TraceContext } = {}): Promise<PublishAck> {
    const reason = checkEnvelope(envelope) ?? this.options.validator?.(envelope.type, envelope.data) ?? null;
    if (reason !== null) {
      throw new MessagingError('messaging.invalid_event', `refusing to publish invalid ${envelope.type}: ${reason}`);
    }
    const h = natsHeaders();
    writeTraceHeaders(h, outgoingTraceContext(options.trace));
    try {
      const ack = await this.js.publish(
        toNatsSubject(this.options.subjectPrefix ?? '', envelope.type),
        encodeEnvelope(envelope),
        {
          msgID: envelope.id,
          headers: h,
          ...(this.options.timeoutMs !== undefined && { timeout: this.options.timeoutMs }),
        },
      );
      return { ...ack, id: envelope.id, type: envelope.type };
    } catch (error) {
      throw new MessagingError(
        'messaging.publish_failed',
        `publishing ${envelope.type} ${envelope.id}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
