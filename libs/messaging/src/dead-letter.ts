// Dead letters: an event a consumer gave up on is republished, byte for byte, to `deadletter.<consumer>` with
// headers saying why and where it came from, so an operator can inspect and replay it.
import type { JetStreamClient, JsMsg, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { decodeEnvelope, type EventEnvelope } from './envelope';
import { deadLetterSubject, toNatsSubject } from './topology';

export const DeadLetterHeaders = {
  reason: 'Kubelabs-Deadletter-Reason',
  originalSubject: 'Kubelabs-Original-Subject',
  stream: 'Kubelabs-Original-Stream',
  streamSequence: 'Kubelabs-Stream-Sequence',
  deliveries: 'Kubelabs-Deliveries',
  consumer: 'Kubelabs-Consumer',
} as const;

export interface DeadLetterRecord {
  reason: string;
  originalSubject: string;
  stream: string;
  streamSequence: number;
  deliveries: number;
  consumer: string;
  /** The original envelope, when the original message was one. */
  envelope?: EventEnvelope;
  /** The original bytes, always. */
  data: Uint8Array;
}

const MAX_REASON_LENGTH = 1_000;

/** Header values may not hold line breaks, and a reason is a sentence, not a stack trace. */
export function sanitizeReason(reason: string): string {
  const oneLine = reason.replace(/[\r\n]+/g, ' ').trim() || 'unknown reason';
  return oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…` : oneLine;
}

export async function publishDeadLetter(
  js: JetStreamClient,
  subjectPrefix: string,
  msg: JsMsg,
  reason: string,
): Promise<PubAck> {
  const { stream, consumer, streamSequence, deliveryCount } = msg.info;
  const h = natsHeaders();
  h.set(DeadLetterHeaders.reason, sanitizeReason(reason));
  h.set(DeadLetterHeaders.originalSubject, msg.subject);
  h.set(DeadLetterHeaders.stream, stream);
  h.set(DeadLetterHeaders.streamSequence, String(streamSequence));
  h.set(DeadLetterHeaders.deliveries, String(deliveryCount));
  h.set(DeadLetterHeaders.consumer, consumer);
  for (const name of ['traceparent', 'tracestate']) {
    const value = msg.headers?.get(name);
    if (value) h.set(name, value);
  }
  return js.publish(toNatsSubject(subjectPrefix, deadLetterSubject(consumer)), msg.data, {
    headers: h,
    // Writing the same dead letter twice (a retry after a lost ack) is de-duplicated.
    msgID: `deadletter:${stream}:${streamSequence}:${consumer}`,
  });
}

/** Reads a dead letter back (from a stream `getMessage` or a consumer), for tools, replays and tests. */
export function readDeadLetter(message: { header?: MsgHdrs; headers?: MsgHdrs; data: Uint8Array }): DeadLetterRecord {
  const h = message.header ?? message.headers;
  const get = (name: string) => h?.get(name) ?? '';
  const decoded = decodeEnvelope(message.data);
  const record: DeadLetterRecord = {
    reason: get(DeadLetterHeaders.reason),
    originalSubject: get(DeadLetterHeaders.originalSubject),
    stream: get(DeadLetterHeaders.stream),
    streamSequence: Number(get(DeadLetterHeaders.streamSequence)),
    deliveries: Number(get(DeadLetterHeaders.deliveries)),
    consumer: get(DeadLetterHeaders.consumer),
    data: message.data,
  };
  if ('envelope' in decoded) record.envelope = decoded.envelope;
  return record;
}
