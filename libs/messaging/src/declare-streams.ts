// Makes the server's streams and durable consumers match the ones declared in code, at start-up. Idempotent and
// level-triggered: missing ones are created, drifted ones updated, matching ones left alone.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { MessagingError } from './messaging-errors';
import { consumerDefaults, resolveConsumerSpec, toNatsSubject, type ConsumerSpec, type StreamSpec } from './topology';

export interface DeclareResult {
  kind: 'stream' | 'consumer';
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** The fields that differed, when updated. */
  changed?: string[];
}

type DesiredStream = Partial<StreamConfig> & { name: string };
type DesiredConsumer = Partial<ConsumerConfig> & { durable_name: string };

export function renderStreamConfig(spec: StreamSpec, subjectPrefix: string): DesiredStream {
  const config: DesiredStream = {
    name: spec.name,
    subjects: spec.subjects.map((s) => toNatsSubject(subjectPrefix, s)),
    retention: RetentionPolicy.Limits,
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    duplicate_window: nanos(spec.duplicateWindowMs ?? 2 * 60_000),
    max_age: nanos(spec.maxAgeMs ?? 0),
    num_replicas: spec.replicas ?? 1,
  };
  if (spec.description !== undefined) config.description = spec.description;
  return config;
}

export function renderConsumerConfig(spec: ConsumerSpec, subjectPrefix: string): DesiredConsumer {
  const resolved = resolveConsumerSpec(spec);
  const filters = resolved.filterSubjects.map((s) => toNatsSubject(subjectPrefix, s));
  const config: DesiredConsumer = {
    durable_name: resolved.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(resolved.ackWaitMs),
    // The server-side bound: our own maxDeliver plus a few deliveries that only retry writing the dead letter.
    max_deliver: resolved.maxDeliver + consumerDefaults.deadLetterAttempts,
  };
  // The server stores a single filter as filter_subject; declaring it that way keeps re-runs a no-op.
  if (filters.length === 1) config.filter_subject = filters[0]!;
  else config.filter_subjects = filters;
  if (resolved.description !== undefined) config.description = resolved.description;
  return config;
}

/** The names of the declared fields whose server-side value differs. Subject lists compare as sets. */
export function diffConfig(desired: object, actual: object): string[] {
  const a = actual as Record<string, unknown>;
  return Object.entries(desired)
    .filter(([key, value]) => !sameValue(value, a[key]))
    .map(([key]) => key);
}

function sortedJson(values: unknown[]): string {
  return JSON.stringify(values.map((v) => JSON.stringify(v)).toSorted());
}

function sameValue(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && sortedJson(want) === sortedJson(have);
  return JSON.stringify(want) === JSON.stringify(have);
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

// "stream name already in use with a different configuration" and "consumer already exists": someone created it
// between our read and our create (another replica starting at the same time).
const ALREADY_EXISTS = new Set([10058, 10148, 10013]);

export async function declareStreams(
  jsm: JetStreamManager,
  specs: StreamSpec[],
  subjectPrefix = '',
): Promise<DeclareResult[]> {
  const results: DeclareResult[] = [];
  for (const spec of specs) {
    const desired = renderStreamConfig(spec, subjectPrefix);
    try {
      results.push(await declareStream(jsm, desired));
    } catch (error) {
      throw new MessagingError('messaging.setup_failed', `declaring stream ${spec.name}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  return results;
}

async function declareStream(jsm: JetStreamManager, desired: DesiredStream, attempt = 1): Promise<DeclareResult> {
  const actual = await jsm.streams.info(desired.name).catch((error: unknown) => {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return null;
    throw error;
  });
  if (!actual) {
    try {
      await jsm.streams.add(desired);
      return { kind: 'stream', name: desired.name, action: 'created' };
    } catch (error) {
      if (attempt === 1 && error instanceof JetStreamApiError && ALREADY_EXISTS.has(error.code)) {
        return declareStream(jsm, desired, 2);
      }
      throw error;
    }
  }
  const changed = diffConfig(desired, actual.config);
  if (changed.length === 0) return { kind: 'stream', name: desired.name, action: 'unchanged' };
  const { name, ...update } = desired;
  await jsm.streams.update(name, update);
  return { kind: 'stream', name, action: 'updated', changed };
}

export async function declareConsumers(
  jsm: JetStreamManager,
  specs: ConsumerSpec[],
  subjectPrefix = '',
): Promise<DeclareResult[]> {
  const results: DeclareResult[] = [];
  for (const spec of specs) {
    const desired = renderConsumerConfig(spec, subjectPrefix);
    try {
      results.push(await declareConsumer(jsm, spec.stream, desired));
    } catch (error) {
      throw new MessagingError(
        'messaging.setup_failed',
        `declaring consumer ${spec.durable} on stream ${spec.stream}: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
  return results;
}

async function declareConsumer(
  jsm: JetStreamManager,
  stream: string,
  desired: DesiredConsumer,
  attempt = 1,
): Promise<DeclareResult> {
  const name = desired.durable_name;
  const actual = await jsm.consumers.info(stream, name).catch((error: unknown) => {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return null;
    throw error;
  });
  if (!actual) {
    try {
      await jsm.consumers.add(stream, desired);
      return { kind: 'consumer', name, action: 'created' };
    } catch (error) {
      if (attempt === 1 && error instanceof JetStreamApiError && ALREADY_EXISTS.has(error.code)) {
        return declareConsumer(jsm, stream, desired, 2);
      }
      throw error;
    }
  }
  const changed = diffConfig(desired, actual.config);
  if (changed.length === 0) return { kind: 'consumer', name, action: 'unchanged' };
  // Fields the server cannot change (ack or deliver policy) are sent as declared, so drift there fails loudly.
  // Switching between one and several filters must clear the other field, as update merges into the old config.
  const update: Partial<ConsumerConfig> = { ...desired };
  if (update.filter_subject !== undefined) update.filter_subjects = [];
  else update.filter_subject = '';
  await jsm.consumers.update(stream, name, update);
  return { kind: 'consumer', name, action: 'updated', changed };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
