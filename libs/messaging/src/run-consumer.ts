// The pull loop of one durable consumer. It only asks the server for as many messages as it has free handler slots
// (so no message waits in a client buffer while its ack timer runs), keeps running handlers alive with working(),
// never runs the same stream message twice at once, and restarts a stopped pull with bounded retries.
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { LoggerService } from '@nestjs/common';
import type { ConsumerStatusEvent } from './delivery-events';
import { backoffDelay } from './plan-delivery';
import type { Delivery } from './process-event';
import type { ResolvedConsumerSpec } from './topology';

export interface ConsumerRunnerOptions {
  js: JetStreamClient;
  spec: ResolvedConsumerSpec;
  process(delivery: Delivery): Promise<void>;
  /** Puts the stream and consumer back if they vanished; called before each restart. */
  redeclare(): Promise<void>;
  onStatus(event: ConsumerStatusEvent): void;
  logger: LoggerService;
  /** How long one pull request waits on the server for messages. */
  pullExpiresMs: number;
  /** Consecutive failed pulls tolerated before the runner gives up and reports itself unhealthy. */
  maxRestarts: number;
}

export interface ConsumerHealth {
  consumer: string;
  stream: string;
  /** False once the runner has given up (or was stopped). */
  pulling: boolean;
  inFlight: number;
  consecutiveFailures: number;
  lastError?: string;
  lastPullAt?: string;
}

const RESTART_BACKOFF = { initialMs: 250, factor: 2, maxMs: 5_000 };

export class ConsumerRunner {
  private readonly inFlight = new Map<number, Delivery>();
  private readonly running = new Set<Promise<void>>();
  private slotWaiters: Array<() => void> = [];
  private wakePause: (() => void) | undefined;
  private batch: ConsumerMessages | undefined;
  private stopping = false;
  private pulling = false;
  private failures = 0;
  private lastError: string | undefined;
  private lastPullAt: Date | undefined;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConsumerRunnerOptions) {}

  start(): void {
    this.pulling = true;
    this.loopDone = this.loop().finally(() => {
      this.pulling = false;
    });
  }

  health(): ConsumerHealth {
    const health: ConsumerHealth = {
      consumer: this.options.spec.durable,
      stream: this.options.spec.stream,
      pulling: this.pulling,
      inFlight: this.running.size,
      consecutiveFailures: this.failures,
    };
    if (this.lastError !== undefined) health.lastError = this.lastError;
    if (this.lastPullAt) health.lastPullAt = this.lastPullAt.toISOString();
    return health;
  }

  /**
   * Stops pulling, then waits up to `timeoutMs` for running handlers. Returns how many were still running; their
   * messages are not acked and will be redelivered (to another replica, or after a restart).
   */
  async stop(timeoutMs: number): Promise<{ abandoned: number }> {
    this.stopping = true;
    void this.batch?.close();
    this.wakeSlotWaiters();
    this.wakePause?.();
    await this.loopDone;
    if (this.running.size === 0) return { abandoned: 0 };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(this.running).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return { abandoned: timedOut ? this.running.size : 0 };
  }

  private async loop(): Promise<void> {
    const { js, spec } = this.options;
    let consumer: Consumer | undefined;
    while (!this.stopping) {
      await this.freeSlot();
      if (this.stopping) break;
      try {
        consumer ??= await js.consumers.get(spec.stream, spec.durable);
        const batch = await consumer.fetch({
          max_messages: spec.concurrency - this.running.size,
          expires: this.options.pullExpiresMs,
        });
        this.batch = batch;
        if (this.stopping) void batch.close();
        void this.watch(batch);
        for await (const msg of batch) this.accept(msg);
        this.failures = 0;
        this.lastPullAt = new Date();
      } catch (error) {
        if (this.stopping) break;
        consumer = undefined;
        this.failures += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.report('pull_failed', this.lastError);
        if (this.failures > this.options.maxRestarts) {
          this.options.logger.error(
            `${spec.durable}: giving up after ${this.failures} failed pulls in a row: ${this.lastError}`,
          );
          this.report('gave_up', this.lastError);
          break;
        }
        await this.options.redeclare().catch((redeclareError: unknown) => {
          this.report(
            'redeclare_failed',
            redeclareError instanceof Error ? redeclareError.message : String(redeclareError),
          );
        });
        await this.pause(backoffDelay(this.failures, RESTART_BACKOFF));
      } finally {
        this.batch = undefined;
      }
    }
  }

  private accept(msg: JsMsg): void {
    const seq = msg.info.streamSequence;
    const running = this.inFlight.get(seq);
    if (running) {
      // Redelivered while its handler still runs (an ack deadline slipped): keep one handler, answer the newest
      // delivery when it finishes.
      running.msg = msg;
      msg.working();
      return;
    }
    if (this.stopping) {
      msg.nak();
      return;
    }
    const delivery: Delivery = { msg };
    this.inFlight.set(seq, delivery);
    const keepAlive = setInterval(
      () => delivery.msg.working(),
      Math.max(100, Math.floor(this.options.spec.ackWaitMs / 3)),
    );
    const task: Promise<void> = this.options
      .process(delivery)
      .catch((error: unknown) => {
        this.options.logger.error(
          `${this.options.spec.durable}: processing stream sequence ${seq} failed: ${String(error)}`,
        );
      })
      .finally(() => {
        clearInterval(keepAlive);
        this.inFlight.delete(seq);
        this.running.delete(task);
        this.wakeSlotWaiters();
      });
    this.running.add(task);
  }

  private async watch(batch: ConsumerMessages): Promise<void> {
    for await (const status of batch.status()) {
      if (status.type === 'next' || status.type === 'heartbeat') continue;
      const { type, ...rest } = status;
      this.report(type, Object.keys(rest).length > 0 ? JSON.stringify(rest) : undefined);
    }
  }

  private report(kind: string, detail?: string): void {
    const { spec } = this.options;
    this.options.onStatus({
      consumer: spec.durable,
      stream: spec.stream,
      kind,
      ...(detail !== undefined && { detail }),
    });
  }

  private freeSlot(): Promise<void> {
    if (this.stopping || this.running.size < this.options.spec.concurrency) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private wakeSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakePause = done;
    });
  }
}
