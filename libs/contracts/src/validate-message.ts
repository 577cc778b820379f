// Checks messages at the edge against the JSON Schemas in contracts/ (embedded by the generator), so a handler can
// term a bad message with a reason that names the offending field.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { commandSubjects, eventTypes, schemaDocuments, subjectsDocument } from './generated/contract-documents';
import type { CommandReplies, CommandRequests, EventPayloads } from './generated/contract-types';

export type EventType = (typeof eventTypes)[number];
export type CommandSubject = (typeof commandSubjects)[number];

/** Schemas get base URIs that mirror their paths, so relative `$ref`s resolve as they do on disk. */
const baseUri = 'https://contracts.kubelabs.invalid/';

const ajv = new Ajv({ strict: true, allowMatchingProperties: true, allowUnionTypes: true, allErrors: false });
addFormats(ajv);
for (const [path, schema] of Object.entries(schemaDocuments)) ajv.addSchema(schema, baseUri + path);

function compiled(path: string): ValidateFunction {
  const validate = ajv.getSchema(baseUri + path);
  if (!validate) throw new Error(`contracts: no schema at ${path}`);
  return validate;
}

const envelopeValidator = compiled('events/envelope.schema.json');
const eventValidators = new Map(subjectsDocument.events.map((event) => [event.type, compiled(event.schema)]));
const requestValidators = new Map(
  subjectsDocument.commands.map((command) => [command.subject, compiled(command.request)]),
);
const replyValidators = new Map(subjectsDocument.commands.map((command) => [command.subject, compiled(command.reply)]));

const knownEventTypes = new Set<string>(eventTypes);
const knownCommandSubjects = new Set<string>(commandSubjects);

export function isEventType(value: string): value is EventType {
  return knownEventTypes.has(value);
}

export function isCommandSubject(value: string): value is CommandSubject {
  return knownCommandSubjects.has(value);
}

/** `null` when `data` is a valid payload of `type`, else one sentence naming the field, e.g. `/labId must match ...`. */
export function validateEvent(type: string, data: unknown): string | null {
  const validate = eventValidators.get(type);
  if (!validate) return `unknown event type '${type}'`;
  return run(validate, data);
}

/** Checks the CloudEvents envelope, that its type is known, and its `data` against that type's schema. */
export function validateEnvelope(envelope: unknown): string | null {
  const envelopeError = run(envelopeValidator, envelope);
  if (envelopeError) return envelopeError;
  const { type, data } = envelope as { type: string; data: unknown };
  const validate = eventValidators.get(type);
  if (!validate) return `/type: unknown event type '${type}'`;
  return run(validate, data, '/data');
}

/** Checks a command request body, e.g. for `cmd.claim.create`. */
export function validateCommand(subject: string, data: unknown): string | null {
  const validate = requestValidators.get(subject);
  if (!validate) return `unknown command subject '${subject}'`;
  return run(validate, data);
}

/** Checks a command reply body (a resource view or `{ error }`). */
export function validateCommandReply(subject: string, data: unknown): string | null {
  const validate = replyValidators.get(subject);
  if (!validate) return `unknown command subject '${subject}'`;
  return run(validate, data);
}

/** Type guards over the same checks, for code that wants the narrowed type rather than the reason. */
export function isEventPayload<T extends EventType>(type: T, data: unknown): data is EventPayloads[T] {
  return validateEvent(type, data) === null;
}

export function isCommandRequest<S extends CommandSubject>(subject: S, data: unknown): data is CommandRequests[S] {
  return validateCommand(subject, data) === null;
}

export function isCommandReply<S extends CommandSubject>(subject: S, data: unknown): data is CommandReplies[S] {
  return validateCommandReply(subject, data) === null;
}

function run(validate: ValidateFunction, data: unknown, pathPrefix = ''): string | null {
  if (validate(data)) return null;
  return describe(mostSpecific(validate.errors ?? []), pathPrefix);
}

/** Under `oneOf` every branch reports; the error deepest in the data is the branch the sender meant. */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const error of errors) {
    if (error.keyword === 'oneOf') continue;
    if (!best || depth(error) > depth(best)) best = error;
  }
  return best ?? errors[0];
}

function depth(error: ErrorObject): number {
  const field = error.keyword === 'required' || error.keyword === 'additionalProperties' ? 1 : 0;
  return error.instancePath.split('/').length + field;
}

function describe(error: ErrorObject | undefined, pathPrefix: string): string {
  if (!error) return `${pathPrefix || '/'} is invalid`;
  const at = pathPrefix + error.instancePath;
  switch (error.keyword) {
    case 'required':
      return `${at}/${(error.params as { missingProperty: string }).missingProperty} is required`;
    case 'additionalProperties':
      return `${at}/${(error.params as { additionalProperty: string }).additionalProperty} is not allowed`;
    case 'enum':
      return `${at || '/'} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at || '/'} ${error.message ?? 'is invalid'}`;
  }
}

/** One validator for the transport: command payloads by command subject, event payloads by event type. */
export function validateMessage(typeOrSubject: string, data: unknown): string | null {
  return isCommandSubject(typeOrSubject) ? validateCommand(typeOrSubject, data) : validateEvent(typeOrSubject, data);
}
