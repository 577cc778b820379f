// The one envelope every event travels in: CloudEvents 1.0 attributes around a JSON payload. The envelope's `type` is
// also the NATS subject (under the optional subject prefix) and its `id` is the JetStream message id for de-duplication.
import { randomUUID } from 'node:crypto';

export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  /** Unique per event; also the JetStream `Nats-Msg-Id`, so re-publishing the same id is de-duplicated. */
  id: string;
  /** Who emitted it, as a URI reference, e.g. `/kubelabs/provisioner`. */
  source: string;
  /** The event name, e.g. `tenant.ready`; also the NATS subject. */
  type: string;
  /** The id of the entity the event is about. */
  subject?: string;
  /** RFC 3339 timestamp of when the event happened. */
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

export interface EnvelopeOptions {
  source: string;
  subject?: string;
  id?: string;
  time?: Date;
}

/**
 * Checks the payload of an event against its JSON Schema (the contracts lib plugs ajv in here). Returns the reason
 * it is invalid, or null when it is valid.
 */
export type EventValidator = (type: string, data: unknown) => string | null;

export function createEnvelope<T>(type: string, data: T, options: EnvelopeOptions): EventEnvelope<T> {
  const envelope: EventEnvelope<T> = {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source,
    type,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  if (options.subject !== undefined) envelope.subject = options.subject;
  return envelope;
}

// Event types are NATS subject tokens: no wildcards, no whitespace, no empty tokens.
const EVENT_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// RFC 3339 date-time (the shape; Date.parse checks the values).
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Returns why `value` is not a valid event envelope, or null when it is one. Checks the shape, not the payload. */
export function checkEnvelope(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'envelope is not a JSON object';
  const e = value as Record<string, unknown>;
  if (e.specversion !== '1.0') return `envelope specversion must be "1.0", got ${JSON.stringify(e.specversion)}`;
  if (typeof e.id !== 'string' || e.id.length === 0) return 'envelope id must be a non-empty string';
  if (typeof e.source !== 'string' || e.source.length === 0) return 'envelope source must be a non-empty string';
  if (typeof e.type !== 'string' || !EVENT_TYPE.test(e.type)) return 'envelope type must be a dotted event name';
  if (e.subject !== undefined && (typeof e.subject !== 'string' || e.subject.length === 0)) {
    return 'envelope subject must be a non-empty string when present';
  }
  if (typeof e.time !== 'string' || !RFC3339.test(e.time) || Number.isNaN(Date.parse(e.time))) {
    return 'envelope time must be an RFC 3339 timestamp';
  }
  if (e.datacontenttype !== 'application/json') return 'envelope datacontenttype must be "application/json"';
  if (!('data' in e) || e.data === undefined) return 'envelope has no data';
  return null;
}

export function isEventEnvelope(value: unknown): value is EventEnvelope {
  return checkEnvelope(value) === null;
}

export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** Parses and shape-checks an envelope from the wire; never throws. */
export function decodeEnvelope(bytes: Uint8Array): { envelope: EventEnvelope } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { reason: 'payload is not valid JSON' };
  }
  const reason = checkEnvelope(value);
  return reason === null ? { envelope: value as EventEnvelope } : { reason };
}
