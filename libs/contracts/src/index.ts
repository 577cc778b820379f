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
  claimCheckedFact,
  claimExtendedFact,
  claimRequestedFact,
  poolCapacityShortFact,
  tenantClaimedFact,
  tenantDeletedFact,
  tenantExpiringFact,
  tenantExposureClosedFact,
  tenantExposureOpenedFact,
  tenantExposureSyncedFact,
  tenantFailedFact,
  tenantPolicyRestoredFact,
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

/**
 * The one rule per shared field, from `contracts/common.schema.json`: what the HTTP DTOs, the NATS commands and the
 * event payloads all accept. DTOs take `regex` for class-validator and `pattern` (the schema's own text) for OpenAPI,
 * so the three cannot drift.
 */
export interface FieldRule {
  /** The schema's `pattern`, verbatim (`RegExp.source` would escape `/`). */
  pattern: string;
  /** The pattern compiled as ajv compiles it (`u` flag), so a value passes here exactly when it passes the schemas. */
  regex: RegExp;
  maxLength?: number;
  description: string;
}

export const fieldRules = {
  labId: fieldRule('labId'),
  tenantId: fieldRule('tenantId'),
  claimId: fieldRule('claimId'),
  userId: fieldRule('userId'),
  kubernetesVersion: fieldRule('kubernetesVersion'),
  sshPublicKey: fieldRule('sshPublicKey'),
  idempotencyKey: fieldRule('idempotencyKey'),
  namespace: fieldRule('namespace'),
} as const satisfies Record<string, FieldRule>;

export type SharedField = keyof typeof fieldRules;

/** Identifier patterns from `contracts/common.schema.json`, for code that mints or checks ids. */
export const idPatterns = {
  labId: fieldRules.labId.regex,
  tenantId: fieldRules.tenantId.regex,
  claimId: fieldRules.claimId.regex,
  userId: fieldRules.userId.regex,
  kubernetesVersion: fieldRules.kubernetesVersion.regex,
  namespace: fieldRules.namespace.regex,
} as const;

function fieldRule(name: string): FieldRule {
  const common = schemaDocuments['common.schema.json'] as {
    definitions: Record<string, { pattern?: string; maxLength?: number; description?: string }>;
  };
  const definition = common.definitions[name];
  if (!definition?.pattern) throw new Error(`contracts: common.schema.json has no pattern for '${name}'`);
  return {
    pattern: definition.pattern,
    regex: new RegExp(definition.pattern, 'u'),
    ...(definition.maxLength !== undefined ? { maxLength: definition.maxLength } : {}),
    description: definition.description ?? name,
  };
}

// Compile-time guard: the generated maps and the generated lists name the same events and commands.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsMatchMaps: [Same<EventType, keyof EventPayloads>, Same<CommandSubject, keyof CommandRequests>] = [
  true,
  true,
];
void listsMatchMaps;
export type { PoolView } from './pool-view';
export { edgeValues, type EdgeValues } from './edge-values';
