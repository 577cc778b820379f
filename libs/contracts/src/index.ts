// The TypeScript face of contracts/: event and command types generated from the JSON Schemas, the subject catalog,
// validators, and one builder per event fact. Services import the wire's names and shapes from here and nowhere else.
import { commandSubjects, eventTypes, schemaDocuments, subjectsDocument } from './generated/contract-documents';
import type { CommandRequests, EventPayloads } from './generated/contract-types';
import type { CommandSubject, EventType } from './validate-message';

export * from './generated/contract-types';
export { commandSubjects, eventTypes, schemaDocuments, subjectsDocument };
export {
  isCommandReply,
  isCommandRequest,
  isCommandSubject,
  isEventPayload,
  isEventType,
  validateCommand,
  validateCommandReply,
  validateEnvelope,
  validateEvent,
  validateMessage,
  type CommandSubject,
  type EventType,
} from './validate-message';
export {
  claimCancelledFact,
  claimExtendedFact,
  claimRequestedFact,
  poolCapacityShortFact,
  tenantClaimedFact,
  tenantDeletedFact,
  tenantExpiringFact,
  tenantFailedFact,
  tenantProvisioningFact,
  tenantProvisionRequestedFact,
  tenantReadyFact,
  tenantReleasedFact,
  type AnyFact,
  type Fact,
  type PoolShortReason,
} from './facts';

/** The envelope of one event type, with its payload typed. Same attributes as `events/envelope.schema.json`. */
export interface Envelope<T extends EventType = EventType> {
  specversion: '1.0';
  /** Also the `Nats-Msg-Id` header: reuse it on every retry of the same publish. */
  id: string;
  /** `/kubelabs/<service>` */
  source: string;
  type: T;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: EventPayloads[T];
}

/** Header names on the wire, as documented in `contracts/subjects.json` (`headers`). */
export const headerNames = {
  messageId: 'Nats-Msg-Id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  deadLetterReason: 'Kubelabs-Deadletter-Reason',
  originalSubject: 'Kubelabs-Original-Subject',
  originalStream: 'Kubelabs-Original-Stream',
  originalStreamSequence: 'Kubelabs-Stream-Sequence',
  deliveries: 'Kubelabs-Deliveries',
  consumer: 'Kubelabs-Consumer',
} as const;

/** JetStream stream that holds an event type. */
export function streamOf(type: EventType): string {
  const entry = subjectsDocument.events.find((event) => event.type === type);
  if (!entry) throw new Error(`contracts: unknown event type '${type}'`);
  return entry.stream;
}

export const deadLetterStream: string = subjectsDocument.deadLetters.stream;

/** Subject a consumer's poison messages are republished to: `deadletter.<consumer durable name>`. */
export function deadLetterSubject(consumer: string): string {
  return subjectsDocument.deadLetters.subjectPrefix + consumer;
}

/** Identifier patterns from `contracts/common.schema.json`, for code that mints or checks ids. */
export const idPatterns = {
  labId: definitionPattern('labId'),
  tenantId: definitionPattern('tenantId'),
  claimId: definitionPattern('claimId'),
  userId: definitionPattern('userId'),
  kubernetesVersion: definitionPattern('kubernetesVersion'),
  namespace: definitionPattern('namespace'),
} as const;

function definitionPattern(name: string): RegExp {
  const common = schemaDocuments['common.schema.json'] as { definitions: Record<string, { pattern?: string }> };
  const pattern = common.definitions[name]?.pattern;
  if (!pattern) throw new Error(`contracts: common.schema.json has no pattern for '${name}'`);
  return new RegExp(pattern, 'u');
}

// Compile-time guard: the generated maps and the generated lists name the same events and commands.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsMatchMaps: [Same<EventType, keyof EventPayloads>, Same<CommandSubject, keyof CommandRequests>] = [
  true,
  true,
];
void listsMatchMaps;
export type { PoolView } from './pool-view';
