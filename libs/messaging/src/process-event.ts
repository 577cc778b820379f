// One delivery of one event, start to finish: decode and validate the envelope, run the handler, then ack, nak with
// backoff, or dead-letter and term. The decisions come from plan-delivery; this file does the I/O.
import { context } from '@opentelemetry/api';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { LoggerService } from '@nestjs/common';
import { publishDeadLetter, sanitizeReason } from './dead-letter';
import { failureReason, isTerminalFailure } from './describe-failure';
import type { DeliveryEvent } from './delivery-events';
import { decodeEnvelope, type EventValidator } from './envelope';
import { JetStreamContext } from './jetstream-context';
import { backoffDelay, handlerExhausted, planFailure } from './plan-delivery';
import { eventTypeOf, type ResolvedConsumerSpec } from './topology';
import { readTraceHeaders, toOtelContext } from './trace-context';

/** The latest delivery of one stream message; a redelivery that arrives while its handler runs replaces `msg`. */
export interface Delivery {
  msg: JsMsg;
}

export type EventHandlerFn = (data: unknown, ctx: JetStreamContext) => Promise<unknown>;

export interface ProcessEventDeps {
  spec: ResolvedConsumerSpec;
  subjectPrefix: string;
  js: JetStreamClient;
  validator?: EventValidator | undefined;
  handlerFor(type: string): EventHandlerFn | null;
  report(event: DeliveryEvent): void;
  logger: LoggerService;
}

export async function processEvent(delivery: Delivery, deps: ProcessEventDeps): Promise<void> {
  const { spec } = deps;
  const first = delivery.msg;
  const deliveryCount = first.info.deliveryCount;
  const type = eventTypeOf(deps.subjectPrefix, first.subject);
  const report = (event: Omit<DeliveryEvent, 'consumer' | 'type' | 'deliveryCount'>) =>
    deps.report({ consumer: spec.durable, type, deliveryCount, ...event });
  report({ outcome: 'delivered' });

  if (handlerExhausted(deliveryCount, spec.maxDeliver)) {
    return deadLetter(
      delivery,
      `handler failed ${spec.maxDeliver} deliveries (dead letter written on retry)`,
      deps,
      report,
    );
  }
  const decoded = decodeEnvelope(first.data);
  if ('reason' in decoded) return deadLetter(delivery, `invalid envelope: ${decoded.reason}`, deps, report);
  const { envelope } = decoded;
  if (envelope.type !== type) {
    return deadLetter(delivery, `envelope type ${envelope.type} does not match subject ${type}`, deps, report);
  }
  const invalid = deps.validator?.(type, envelope.data) ?? null;
  if (invalid !== null) return deadLetter(delivery, `invalid ${type} payload: ${invalid}`, deps, report);
  const handler = deps.handlerFor(type);
  if (!handler) return deadLetter(delivery, `no handler for ${type} in consumer ${spec.durable}`, deps, report);

  const traceContext = readTraceHeaders(first.headers);
  const ctx = new JetStreamContext(first, envelope, traceContext, type);
  const started = performance.now();
  try {
    await context.with(toOtelContext(traceContext), () => handler(envelope.data, ctx));
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const reason = failureReason(error);
    const plan = planFailure({
      deliveryCount,
      maxDeliver: spec.maxDeliver,
      backoff: spec.backoff,
      terminal: isTerminalFailure(error),
    });
    if (plan.kind === 'retry') {
      deps.logger.warn?.(
        `${spec.durable}: ${type} ${envelope.id} failed on delivery ${deliveryCount}/${spec.maxDeliver}, retrying in ${plan.delayMs} ms: ${reason}`,
      );
      delivery.msg.nak(plan.delayMs);
      report({ outcome: 'naked', reason, delayMs: plan.delayMs, durationMs });
      return;
    }
    return deadLetter(delivery, reason, deps, report, durationMs);
  }
  delivery.msg.ack();
  report({ outcome: 'acked', durationMs: Math.round(performance.now() - started) });
}

async function deadLetter(
  delivery: Delivery,
  reason: string,
  deps: ProcessEventDeps,
  report: (event: Omit<DeliveryEvent, 'consumer' | 'type' | 'deliveryCount'>) => void,
  durationMs?: number,
): Promise<void> {
  const msg = delivery.msg;
  const line = sanitizeReason(reason);
  try {
    await publishDeadLetter(deps.js, deps.subjectPrefix, msg, line);
  } catch (error) {
    // Not written: keep the message and try again on a later delivery (bounded by the server's max_deliver).
    const delayMs = backoffDelay(msg.info.deliveryCount, deps.spec.backoff);
    deps.logger.error(
      `${deps.spec.durable}: could not write dead letter for stream sequence ${msg.info.streamSequence}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    delivery.msg.nak(delayMs);
    report({ outcome: 'naked', reason: `dead letter not written: ${line}`, delayMs });
    return;
  }
  deps.logger.warn?.(`${deps.spec.durable}: dead-lettered stream sequence ${msg.info.streamSequence}: ${line}`);
  report({ outcome: 'deadlettered', reason: line, ...(durationMs !== undefined && { durationMs }) });
  delivery.msg.term(line);
  report({ outcome: 'termed', reason: line });
}
