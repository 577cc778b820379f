// The streams and durable consumers, declared in code. Subjects here are event names ('tenant.>'); the optional
// subject prefix (one per test run or environment) is added when they are rendered for the server.

export const EVENTS_STREAM = 'KUBELABS_EVENTS';
export const DEADLETTER_STREAM = 'KUBELABS_DEADLETTER';
export const DEADLETTER_SUBJECT_ROOT = 'deadletter';

export interface StreamSpec {
  name: string;
  /** Event subjects, without the prefix, e.g. `tenant.>`. */
  subjects: string[];
  storage?: 'file' | 'memory';
  duplicateWindowMs?: number;
  /** How long messages are kept; omitted means forever. */
  maxAgeMs?: number;
  replicas?: number;
  description?: string;
}

export interface BackoffPolicy {
  /** Delay before the second delivery. */
  initialMs: number;
  /** Multiplier applied per further failed delivery. */
  factor: number;
  /** Upper bound of any single delay. */
  maxMs: number;
}

export interface ConsumerSpec {
  stream: string;
  /** Durable name; also the last token of its dead-letter subject (`deadletter.<durable>`). */
  durable: string;
  /** Event types (or NATS wildcards over them) this consumer receives; the server dispatches each by its type. */
  filterSubjects: string[];
  ackWaitMs?: number;
  /** Deliveries the handler gets before the message is dead-lettered. */
  maxDeliver?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Handlers of this consumer running at once in one process. */
  concurrency?: number;
  description?: string;
}

export type ResolvedConsumerSpec = Required<Omit<ConsumerSpec, 'backoff' | 'description'>> & {
  backoff: BackoffPolicy;
  description?: string;
};

export const consumerDefaults = {
  ackWaitMs: 30_000,
  maxDeliver: 5,
  backoff: { initialMs: 1_000, factor: 2, maxMs: 60_000 },
  concurrency: 4,
  /**
   * Extra server-side deliveries beyond `maxDeliver`, used only to retry publishing the dead letter when that
   * failed; the handler never runs on them. The server's `max_deliver` is `maxDeliver + deadLetterAttempts`.
   */
  deadLetterAttempts: 3,
} as const;

export function resolveConsumerSpec(spec: ConsumerSpec): ResolvedConsumerSpec {
  const resolved: ResolvedConsumerSpec = {
    stream: spec.stream,
    durable: spec.durable,
    filterSubjects: spec.filterSubjects,
    ackWaitMs: spec.ackWaitMs ?? consumerDefaults.ackWaitMs,
    maxDeliver: spec.maxDeliver ?? consumerDefaults.maxDeliver,
    backoff: { ...consumerDefaults.backoff, ...spec.backoff },
    concurrency: spec.concurrency ?? consumerDefaults.concurrency,
  };
  if (spec.description !== undefined) resolved.description = spec.description;
  if (resolved.maxDeliver < 1) throw new RangeError(`consumer ${spec.durable}: maxDeliver must be at least 1`);
  if (resolved.concurrency < 1) throw new RangeError(`consumer ${spec.durable}: concurrency must be at least 1`);
  if (resolved.ackWaitMs < 300) throw new RangeError(`consumer ${spec.durable}: ackWaitMs must be at least 300`);
  return resolved;
}

/**
 * The platform's two streams: every domain event, and the dead letters. `nameSuffix` lets tests and parallel
 * environments own their copies (use it together with a subject prefix, since streams may not share subjects).
 */
export function defaultStreams({ nameSuffix = '' }: { nameSuffix?: string } = {}): StreamSpec[] {
  return [
    {
      name: `${EVENTS_STREAM}${nameSuffix}`,
      subjects: ['tenant.>', 'claim.>', 'pool.>', 'lab.>', 'exposure.>'],
      storage: 'file',
      duplicateWindowMs: 2 * 60_000,
      maxAgeMs: 7 * 24 * 3_600_000,
      description: 'Domain events of the kubelabs platform',
    },
    {
      name: `${DEADLETTER_STREAM}${nameSuffix}`,
      subjects: [`${DEADLETTER_SUBJECT_ROOT}.>`],
      storage: 'file',
      duplicateWindowMs: 2 * 60_000,
      maxAgeMs: 30 * 24 * 3_600_000,
      description: 'Events a consumer gave up on, with the reason',
    },
  ];
}

/** `run42` and `run42.` both become `run42.`; the empty prefix stays empty. */
export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  return prefix.endsWith('.') ? prefix : `${prefix}.`;
}

export function toNatsSubject(prefix: string, eventSubject: string): string {
  return `${normalizePrefix(prefix)}${eventSubject}`;
}

/** The event type a NATS subject carries, i.e. the subject without the prefix. */
export function eventTypeOf(prefix: string, natsSubject: string): string {
  const p = normalizePrefix(prefix);
  return p && natsSubject.startsWith(p) ? natsSubject.slice(p.length) : natsSubject;
}

export function deadLetterSubject(consumer: string): string {
  return `${DEADLETTER_SUBJECT_ROOT}.${consumer}`;
}

/** NATS subject matching: `*` matches one token, `>` one or more trailing tokens. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
