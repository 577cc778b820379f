// @kubelabs/messaging: the event backbone. A NestJS transport on NATS JetStream (events, durable pull consumers,
// retries, dead letters) and core NATS (request/reply commands), with one CloudEvents envelope on every event.
export {
  createEnvelope,
  checkEnvelope,
  isEventEnvelope,
  type EventEnvelope,
  type EnvelopeOptions,
  type EventValidator,
} from './envelope';
export {
  EVENTS_STREAM,
  DEADLETTER_STREAM,
  consumerDefaults,
  defaultStreams,
  deadLetterSubject,
  toNatsSubject,
  type StreamSpec,
  type ConsumerSpec,
  type BackoffPolicy,
} from './topology';
export {
  declareStreams,
  declareConsumers,
  renderStreamConfig,
  renderConsumerConfig,
  type DeclareResult,
} from './declare-streams';
export { backoffDelay, planFailure, type FailurePlan } from './plan-delivery';
export { DeadLetterHeaders, readDeadLetter, type DeadLetterRecord } from './dead-letter';
export { EventPublisher, type EventPublisherOptions, type PublishOptions, type PublishAck } from './event-publisher';
export { JetStreamContext, CommandContext } from './jetstream-context';
export { JetStreamExceptionFilter } from './jetstream-exception-filter';
export {
  JetStreamServer,
  JETSTREAM_TRANSPORT,
  type JetStreamServerOptions,
  type JetStreamServerHealth,
} from './jetstream-server';
export { JetStreamClientProxy, type JetStreamClientOptions } from './jetstream-client';
export type { ConsumerHealth } from './run-consumer';
export type { DeliveryEvent, DeliveryOutcome, DeliveryCounters, ConsumerStatusEvent } from './delivery-events';
export { outgoingTraceContext, readTraceHeaders, type TraceContext } from './trace-context';
export { MessagingError, TerminalEventError, CommandError, type MessagingErrorCode } from './messaging-errors';
export { COMMAND_ERROR_HEADER } from './command-reply';
