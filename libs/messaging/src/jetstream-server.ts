// The NestJS transport for kubelabs events and commands: `@EventPattern` handlers are fed from durable JetStream pull
// consumers (declared at start-up), `@MessagePattern` handlers answer request/reply commands over core NATS.
import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { Server, type BaseRpcContext, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { serveCommand } from './serve-command';
import { declareConsumers, declareStreams, type DeclareResult } from './declare-streams';
import { emptyCounters, type ConsumerStatusEvent, type DeliveryCounters, type DeliveryEvent } from './delivery-events';
import type { EventValidator } from './envelope';
import { processEvent, type EventHandlerFn } from './process-event';
import { ConsumerRunner, type ConsumerHealth } from './run-consumer';
import {
  defaultStreams,
  normalizePrefix,
  resolveConsumerSpec,
  subjectMatches,
  toNatsSubject,
  type ConsumerSpec,
  type StreamSpec,
} from './topology';

export interface JetStreamServerOptions {
  /** NATS server URL(s); ignored when `connection` is given. */
  servers?: string | string[];
  /** An existing connection to use; the server then does not drain or close it. */
  connection?: NatsConnection;
  /** Connection name, shown in the NATS server's monitoring. */
  name?: string;
  /** Prepended to every subject ('' in production; a random one per test). */
  subjectPrefix?: string;
  /** Streams declared at start-up; the platform's default streams when omitted. */
  streams?: StreamSpec[];
  /** Durable consumers declared at start-up and pulled from; each dispatches by event type to `@EventPattern`s. */
  consumers?: ConsumerSpec[];
  /** Queue group of the command subscriptions, so replicas share the work. */
  commandQueue?: string;
  /** Checks event and command payloads (the contracts lib's JSON Schemas). */
  validator?: EventValidator;
  /** How long close() waits for running handlers. */
  shutdownTimeoutMs?: number;
  /** How long one pull request waits on the server (>= 1000). */
  pullExpiresMs?: number;
  /** Consecutive failed pulls a consumer tolerates before it stops and reports unhealthy. */
  maxConsumerRestarts?: number;
}

export interface JetStreamServerHealth {
  connected: boolean;
  /** Connected and every consumer still pulling: the readiness answer. */
  ready: boolean;
  consumers: ConsumerHealth[];
  counters: DeliveryCounters;
}

type ServerEvents = {
  delivery: (event: DeliveryEvent) => void;
  consumer: (event: ConsumerStatusEvent) => void;
};

export const JETSTREAM_TRANSPORT = Symbol('kubelabs-jetstream');

export class JetStreamServer extends Server<ServerEvents> implements CustomTransportStrategy {
  override transportId = JETSTREAM_TRANSPORT;
  // Handler failures are ours to report (nak, dead letter, log): Nest need not log them a second time.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(JetStreamServer.name);

  private readonly emitter = new EventEmitter();
  private readonly totals = emptyCounters();
  private readonly prefix: string;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private runners: ConsumerRunner[] = [];
  private subscriptions: Subscription[] = [];
  private readonly commandsInFlight = new Set<Promise<void>>();
  private connected = false;
  private closing = false;
  private declared: DeclareResult[] = [];

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    if (!options.connection && !options.servers)
      throw new RangeError('JetStreamServer needs `servers` or `connection`');
    this.prefix = normalizePrefix(options.subjectPrefix);
    for (const spec of options.consumers ?? []) resolveConsumerSpec(spec);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
    } catch (error) {
      await this.close().catch(() => {});
      callback(error);
      return;
    }
    callback();
  }

  /** What start-up declared: one entry per stream and consumer, created / updated / unchanged. */
  get declarations(): readonly DeclareResult[] {
    return this.declared;
  }

  isConnected(): boolean {
    return this.connected && !!this.nc && !this.nc.isClosed() && !this.nc.isDraining();
  }

  health(): JetStreamServerHealth {
    const consumers = this.runners.map((runner) => runner.health());
    const connected = this.isConnected();
    return {
      connected,
      ready: connected && !this.closing && consumers.every((c) => c.pulling),
      consumers,
      counters: this.counters(),
    };
  }

  counters(): DeliveryCounters {
    return { ...this.totals };
  }

  /** `delivery` fires per delivery outcome, `consumer` per pull-loop status (missed heartbeats, restarts, ...). */
  on<K extends keyof ServerEvents>(event: K, callback: ServerEvents[K]): this {
    this.emitter.on(event, callback);
    return this;
  }

  unwrap<T = NatsConnection>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening; call listen() first');
    return this.nc as T;
  }

  /** Stops pulling, waits (bounded) for running handlers and commands, then drains the connection it owns. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const timeoutMs = this.options.shutdownTimeoutMs ?? 10_000;
    for (const sub of this.subscriptions) sub.unsubscribe();
    const results = await Promise.all([
      ...this.runners.map((runner) => runner.stop(timeoutMs)),
      this.waitForCommands(timeoutMs),
    ]);
    const abandoned = results.reduce((sum, r) => sum + r.abandoned, 0);
    if (abandoned > 0)
      this.logger.warn(`closing with ${abandoned} handler(s) still running; their messages will be redelivered`);
    if (this.nc && !this.options.connection && !this.nc.isClosed()) await this.nc.drain();
    this.connected = false;
    this._status$.next('disconnected');
  }

  private async start(): Promise<void> {
    const { options } = this;
    this.nc = options.connection ?? (await connect({ servers: options.servers!, name: options.name }));
    this.connected = true;
    this._status$.next('connected');
    void this.watchConnection(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    this.js = this.jsm.jetstream();
    this.declared = [
      ...(await declareStreams(this.jsm, options.streams ?? defaultStreams(), this.prefix)),
      ...(await declareConsumers(this.jsm, options.consumers ?? [], this.prefix)),
    ];
    this.warnAboutUnroutedEvents();
    this.subscribeCommands(this.nc);
    for (const spec of options.consumers ?? []) this.startConsumer(spec);
  }

  private startConsumer(raw: ConsumerSpec): void {
    const spec = resolveConsumerSpec(raw);
    const js = this.js!;
    const runner = new ConsumerRunner({
      js,
      spec,
      logger: this.logger,
      pullExpiresMs: this.options.pullExpiresMs ?? 30_000,
      maxRestarts: this.options.maxConsumerRestarts ?? 10,
      onStatus: (event) => this.emitter.emit('consumer', event),
      redeclare: async () => {
        const stream = (this.options.streams ?? defaultStreams()).filter((s) => s.name === spec.stream);
        await declareStreams(this.jsm!, stream, this.prefix);
        await declareConsumers(this.jsm!, [raw], this.prefix);
      },
      process: (delivery) =>
        processEvent(delivery, {
          spec,
          subjectPrefix: this.prefix,
          js,
          validator: this.options.validator,
          handlerFor: (type) => this.eventHandlerFor(type),
          report: (event) => {
            this.totals[event.outcome] += 1;
            this.emitter.emit('delivery', event);
          },
          logger: this.logger,
        }),
    });
    this.runners.push(runner);
    runner.start();
  }

  private eventHandlerFor(type: string): EventHandlerFn | null {
    const handler = this.getHandlerByPattern(type);
    if (!handler?.isEventHandler) return null;
    return (data, ctx) => this.invoke(handler, data, ctx);
  }

  /** Runs a Nest handler (guards, pipes, interceptors, filters included) and settles with its last value or error. */
  private invoke(handler: MessageHandler, data: unknown, ctx: BaseRpcContext): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const started = this.runWithProcessingHooks(ctx, async (runEndHook) => {
        try {
          const result$ = this.transformToObservable(await handler(data, ctx));
          resolve(await lastValueFrom(result$, { defaultValue: undefined }));
        } catch (error) {
          reject(error);
        } finally {
          runEndHook();
        }
      });
      Promise.resolve(started).catch(reject);
    });
  }

  private subscribeCommands(nc: NatsConnection): void {
    const queue = this.options.commandQueue ?? this.options.name ?? 'kubelabs';
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.isEventHandler) continue;
      const sub = nc.subscribe(toNatsSubject(this.prefix, pattern), {
        queue,
        callback: (error, msg) => {
          if (error) {
            this.logger.error(`command subscription ${pattern} failed: ${error.message}`);
            return;
          }
          this.trackCommand(this.handleCommand(pattern, handler, msg));
        },
      });
      this.subscriptions.push(sub);
    }
  }

  private handleCommand(pattern: string, handler: MessageHandler, msg: Msg): Promise<void> {
    return serveCommand(msg, {
      pattern,
      validator: this.options.validator,
      invoke: (data, ctx) => this.invoke(handler, data, ctx),
      logger: this.logger,
    });
  }

  private trackCommand(task: Promise<void>): void {
    const tracked = task
      .catch((error: unknown) => this.logger.error(`command failed outside its handler: ${String(error)}`))
      .finally(() => this.commandsInFlight.delete(tracked));
    this.commandsInFlight.add(tracked);
  }

  private async waitForCommands(timeoutMs: number): Promise<{ abandoned: number }> {
    if (this.commandsInFlight.size === 0) return { abandoned: 0 };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(this.commandsInFlight).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return { abandoned: timedOut ? this.commandsInFlight.size : 0 };
  }

  private async watchConnection(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this._status$.next('disconnected');
      } else if (status.type === 'reconnecting') {
        this._status$.next('reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this._status$.next('connected');
      }
    }
  }

  /** An `@EventPattern` no consumer's filter covers would never run: say so at start-up. */
  private warnAboutUnroutedEvents(): void {
    const filters = (this.options.consumers ?? []).flatMap((c) => c.filterSubjects);
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.isEventHandler && !filters.some((filter) => subjectMatches(filter, pattern))) {
        this.logger.warn(
          `@EventPattern('${pattern}') is not covered by any consumer's filterSubjects; it will never run`,
        );
      }
    }
  }
}
