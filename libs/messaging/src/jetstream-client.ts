// The NestJS ClientProxy for the same transport: `send()` runs a request/reply command over core NATS with a timeout,
// `emit()` publishes an event (enveloped, de-duplicable, traced) to JetStream and resolves to its PubAck.
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { jetstream } from '@nats-io/jetstream';
import {
  connect,
  headers as natsHeaders,
  NoRespondersError,
  RequestError,
  TimeoutError,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { EventType } from '@kubelabs/contracts';
import { decodeReply, encodeJson } from './command-reply';
import { isEventEnvelope, type EventValidator } from './envelope';
import { EventPublisher, type PublishAck } from './event-publisher';
import { CommandError, MessagingError } from './messaging-errors';
import { normalizePrefix, toNatsSubject } from './topology';
import { outgoingTraceContext, writeTraceHeaders } from './trace-context';

export interface JetStreamClientOptions {
  servers?: string | string[];
  /** An existing connection to use; the client then does not close it. */
  connection?: NatsConnection;
  name?: string;
  subjectPrefix?: string;
  /** Envelope `source` of events emitted through this client. */
  source: string;
  /** How long `send()` waits for a reply. */
  timeoutMs?: number;
  validator?: EventValidator;
}

export class JetStreamClientProxy extends ClientProxy {
  private connecting: Promise<NatsConnection> | undefined;
  private nc: NatsConnection | undefined;
  private eventPublisher: EventPublisher | undefined;
  private readonly prefix: string;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
    if (!options.connection && !options.servers) {
      throw new RangeError('JetStreamClientProxy needs `servers` or `connection`');
    }
    this.prefix = normalizePrefix(options.subjectPrefix);
  }

  connect(): Promise<NatsConnection> {
    this.connecting ??= (async () => {
      const nc =
        this.options.connection ?? (await connect({ servers: this.options.servers!, name: this.options.name }));
      this.nc = nc;
      this.eventPublisher = new EventPublisher(jetstream(nc), {
        source: this.options.source,
        subjectPrefix: this.prefix,
        ...(this.options.validator && { validator: this.options.validator }),
      });
      this._status$.next('connected');
      return nc;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** The publisher behind `emit()`, for callers that want `publish(type, data, { subject, id })`. */
  async publisher(): Promise<EventPublisher> {
    await this.connect();
    return this.eventPublisher!;
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.connecting = undefined;
    this.nc = undefined;
    this.eventPublisher = undefined;
    if (nc && !this.options.connection && !nc.isClosed()) await nc.drain();
    this._status$.next('disconnected');
  }

  unwrap<T = NatsConnection>(): T {
    if (!this.nc) throw new Error('JetStreamClientProxy is not connected; call connect() first');
    return this.nc as T;
  }

  isConnected(): boolean {
    return !!this.nc && !this.nc.isClosed() && !this.nc.isDraining();
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let cancelled = false;
    const pattern = this.normalizePattern(packet.pattern);
    const h = natsHeaders();
    writeTraceHeaders(h, outgoingTraceContext());
    const timeout = this.options.timeoutMs ?? 5_000;
    this.connect()
      .then((nc) => nc.request(toNatsSubject(this.prefix, pattern), encodeJson(packet.data), { timeout, headers: h }))
      .then((reply) => {
        if (cancelled) return;
        const decoded = decodeReply(reply);
        if (decoded.ok) callback({ response: decoded.value, isDisposed: true });
        else callback({ err: new CommandError(decoded.error.code, decoded.error.message), isDisposed: true });
      })
      .catch((error: unknown) => {
        if (!cancelled) callback({ err: requestFailure(pattern, timeout, error), isDisposed: true });
      });
    return () => {
      cancelled = true;
    };
  }

  /** `emit(type, data)` envelopes `data`; `emit(type, createEnvelope(...))` publishes that envelope as it is. */
  protected async dispatchEvent<T = PublishAck>(packet: ReadPacket): Promise<T> {
    const publisher = await this.publisher();
    const type = this.normalizePattern(packet.pattern);
    if (isEventEnvelope(packet.data) && packet.data.type !== type) {
      throw new MessagingError(
        'messaging.invalid_event',
        `emit('${type}') got an envelope of type ${packet.data.type}`,
      );
    }
    const ack = isEventEnvelope(packet.data)
      ? await publisher.publishEnvelope(packet.data)
      : // emit() is untyped by Nest's design: the configured validator checks the payload at run time.
        await publisher.publish(type as EventType, packet.data as never);
    return ack as T;
  }
}

function requestFailure(pattern: string, timeoutMs: number, error: unknown): MessagingError {
  const cause = error instanceof RequestError && error.cause ? error.cause : error;
  if (cause instanceof TimeoutError) {
    return new MessagingError('messaging.timeout', `no reply to ${pattern} within ${timeoutMs} ms`, { cause: error });
  }
  if (cause instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
    return new MessagingError('messaging.no_responders', `nothing serves ${pattern}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MessagingError('messaging.request_failed', `request ${pattern} failed: ${message}`, { cause: error });
}
