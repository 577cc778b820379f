// What a handler gets as its second argument: the envelope, the subject, the delivery count, the trace context and
// the raw message, for events (JetStreamContext) and for request/reply commands (CommandContext).
import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import type { EventEnvelope } from './envelope';
import type { TraceContext } from './trace-context';

type JetStreamContextArgs = [JsMsg, EventEnvelope, TraceContext | undefined, string];

export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  constructor(message: JsMsg, envelope: EventEnvelope, trace: TraceContext | undefined, type: string) {
    super([message, envelope, trace, type]);
  }

  /** The raw JetStream message (headers, stream sequence, ...). Acking is the transport's job, not the handler's. */
  get message(): JsMsg {
    return this.args[0];
  }

  get envelope(): EventEnvelope {
    return this.args[1];
  }

  /** The trace context the event was published under, from its `traceparent`/`tracestate` headers. */
  get trace(): TraceContext | undefined {
    return this.args[2];
  }

  /** The event type, e.g. `tenant.ready` (the NATS subject without any prefix). */
  get type(): string {
    return this.args[3];
  }

  /** The NATS subject the message was stored under. */
  get subject(): string {
    return this.args[0].subject;
  }

  /** 1 on the first delivery, 2 on the first redelivery, ... */
  get deliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }

  get consumer(): string {
    return this.args[0].info.consumer;
  }

  get streamSequence(): number {
    return this.args[0].info.streamSequence;
  }
}

type CommandContextArgs = [Msg, TraceContext | undefined, string];

export class CommandContext extends BaseRpcContext<CommandContextArgs> {
  constructor(message: Msg, trace: TraceContext | undefined, pattern: string) {
    super([message, trace, pattern]);
  }

  get message(): Msg {
    return this.args[0];
  }

  get trace(): TraceContext | undefined {
    return this.args[1];
  }

  /** The command pattern, e.g. `cmd.claim.create` (the NATS subject without any prefix). */
  get pattern(): string {
    return this.args[2];
  }

  get subject(): string {
    return this.args[0].subject;
  }

  get headers(): MsgHdrs | undefined {
    return this.args[0].headers;
  }
}
