// One validation truth per field: for every field the HTTP API shares with the NATS commands and the events, the
// edge values of its contract pattern are accepted or refused alike by the HTTP DTOs (through the app's own
// validation pipe), the command schemas and every event schema that carries the field; and contracts/openapi.json
// shows the contract's pattern.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentMetadata } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import {
  commandSubjects,
  edgeValues,
  eventTypes,
  fieldRules,
  schemaDocuments,
  subjectsDocument,
  validateCommand,
  validateCommandReply,
  validateEvent,
  type SharedField,
} from '@kubelabs/contracts';
import { repoRoot } from '@kubelabs/testing';
import { createValidationPipe } from '../claim-api.module';
import { ClaimIdParam, ListClaimsQuery, parseIdempotencyKey } from './claim-requests.dto';
import { CreateClaimRequest } from './create-claim/create-claim.dto';

type Accepts = (value: string) => Promise<boolean>;

const pipe = createValidationPipe();

/** Whether the app's validation pipe lets `value` through as `field` of a DTO that is otherwise valid. */
function dtoAccepts(
  metatype: new () => object,
  type: ArgumentMetadata['type'],
  valid: Record<string, unknown>,
  field: string,
): Accepts {
  return async (value) => {
    try {
      await pipe.transform({ ...valid, [field]: value }, { type, metatype });
      return true;
    } catch {
      return false;
    }
  };
}

const validCreate = { labId: 'cka-basics', userId: 'ada' };

/** The HTTP side: each DTO field (and the Idempotency-Key header) that holds a shared field. */
const httpValidators: Partial<Record<SharedField, Record<string, Accepts>>> = {
  labId: { 'POST /v1/claims body labId': dtoAccepts(CreateClaimRequest, 'body', validCreate, 'labId') },
  userId: {
    'POST /v1/claims body userId': dtoAccepts(CreateClaimRequest, 'body', validCreate, 'userId'),
    'GET /v1/claims query userId': dtoAccepts(ListClaimsQuery, 'query', {}, 'userId'),
  },
  kubernetesVersion: {
    'POST /v1/claims body kubernetesVersion': dtoAccepts(CreateClaimRequest, 'body', validCreate, 'kubernetesVersion'),
  },
  sshPublicKey: {
    'POST /v1/claims body sshPublicKey': dtoAccepts(CreateClaimRequest, 'body', validCreate, 'sshPublicKey'),
  },
  claimId: { '/v1/claims/{id} path id': dtoAccepts(ClaimIdParam, 'param', {}, 'id') },
  idempotencyKey: {
    'POST /v1/claims header Idempotency-Key': async (value) => {
      try {
        parseIdempotencyKey(value);
        return true;
      } catch {
        return false;
      }
    },
  },
};

type Json = Record<string, unknown>;

/** Where a schema (following its own local `$ref`s and `oneOf`s) puts a `$ref` to a common definition. */
function pathsOf(schema: Json, definition: string): string[][] {
  const target = `../common.schema.json#/definitions/${definition}`;
  const found: string[][] = [];
  const visit = (node: Json, at: string[], seen: Set<string>): void => {
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/definitions/') && !seen.has(ref)) {
      const name = ref.slice('#/definitions/'.length);
      visit((schema.definitions as Record<string, Json>)[name]!, at, new Set([...seen, ref]));
    }
    for (const branch of (node.oneOf as Json[] | undefined) ?? []) visit(branch, at, seen);
    for (const [name, property] of Object.entries((node.properties as Record<string, Json> | undefined) ?? {})) {
      if (property.$ref === target) found.push([...at, name]);
      else visit(property, [...at, name], seen);
    }
  };
  visit(schema, [], new Set());
  return found;
}

function withValueAt(example: Json, path: string[], value: string): Json {
  const copy = structuredClone(example);
  let node = copy;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Json;
  node[path.at(-1)!] = value;
  return copy;
}

/** The wire side: every command request, command reply and event schema that carries the field. */
function schemaValidators(field: SharedField): Record<string, Accepts> {
  const validators: Record<string, Accepts> = {};
  const add = (kind: string, name: string, file: string, check: (data: Json) => string | null) => {
    const schema = schemaDocuments[file] as Json;
    const example = (schema.examples as Json[])[0]!;
    for (const path of pathsOf(schema, field)) {
      validators[`${kind} ${name} /${path.join('/')}`] = async (value) =>
        check(withValueAt(example, path, value)) === null;
    }
  };
  for (const command of subjectsDocument.commands) {
    add('command', command.subject, command.request, (data) => validateCommand(command.subject, data));
    add('reply to', command.subject, command.reply, (data) => validateCommandReply(command.subject, data));
  }
  for (const event of subjectsDocument.events)
    add('event', event.type, event.schema, (data) => validateEvent(event.type, data));
  return validators;
}

const eventsCarrying = (field: SharedField): string[] =>
  Object.keys(schemaValidators(field)).filter((name) => name.startsWith('event '));

const shared: SharedField[] = ['labId', 'userId', 'kubernetesVersion', 'sshPublicKey', 'claimId', 'idempotencyKey'];

describe('one validation truth per field', () => {
  it('knows every command and event', () => {
    expect(commandSubjects.length).toBeGreaterThan(0);
    expect(eventTypes.length).toBeGreaterThan(0);
  });

  it.each(shared)(
    '%s: the HTTP API, the NATS commands and the events accept and refuse the same edge values',
    async (field) => {
      const { valid, invalid } = edgeValues(fieldRules[field]);
      const validators = { ...httpValidators[field], ...schemaValidators(field) };
      const names = Object.keys(validators);
      expect(
        names.some((name) => /^(POST|GET|\/)/.test(name)),
        'an HTTP validator',
      ).toBe(true);
      expect(
        names.some((name) => name.startsWith('command ')),
        'a command schema',
      ).toBe(true);
      const disagreements: string[] = [];
      for (const [expected, values] of [
        [true, valid],
        [false, invalid],
      ] as const) {
        for (const value of values) {
          for (const [name, accepts] of Object.entries(validators)) {
            if ((await accepts(value)) !== expected)
              disagreements.push(`${name} ${expected ? 'refuses' : 'accepts'} ${JSON.stringify(value.slice(0, 80))}`);
          }
        }
      }
      expect(disagreements).toEqual([]);
    },
  );

  it('reaches each event schema that carries a user id, lab id, Kubernetes version or claim id', () => {
    expect(eventsCarrying('userId')).toEqual(
      expect.arrayContaining([
        'event claim.requested /userId',
        'event tenant.claimed /userId',
        'event claim.cancelled /userId',
      ]),
    );
    for (const field of ['labId', 'kubernetesVersion', 'claimId'] as const)
      expect(eventsCarrying(field).length, field).toBeGreaterThan(3);
  });

  it('keeps the user ids real integrations send', async () => {
    const accepts = httpValidators.userId!['POST /v1/claims body userId']!;
    for (const userId of [
      'U0123ABC',
      'slack:T024BE7LD:U0G9QF9C6',
      'discord:80351110224678912',
      '80351110224678912',
      'ada+k8s@example.org',
      'moodle:course-42:user.7',
    ]) {
      expect(await accepts(userId), userId).toBe(true);
      expect(validateCommand('cmd.claim.create', { ...validCreate, userId }), userId).toBeNull();
    }
  });
});

describe('contracts/openapi.json', () => {
  const document = JSON.parse(readFileSync(join(repoRoot, 'contracts', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: Json }[] }>>;
    components: { schemas: Record<string, { properties: Record<string, Json> }> };
  };

  it('shows the contract pattern (and maximum length) on every claim field the HTTP API validates', () => {
    const shown: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    const expect_ = (at: string, field: SharedField, schema: Json | undefined) => {
      const rule = fieldRules[field];
      shown[at] = { pattern: schema?.pattern, maxLength: schema?.maxLength };
      expected[at] = { pattern: rule.pattern, maxLength: rule.maxLength };
    };
    const body = document.components.schemas.CreateClaimRequest!.properties;
    for (const field of ['labId', 'userId', 'kubernetesVersion', 'sshPublicKey'] as const)
      expect_(`CreateClaimRequest.${field}`, field, body[field]);
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/claims')) continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const parameter of operation.parameters ?? []) {
          const at = `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`;
          if (parameter.in === 'path' && parameter.name === 'id') expect_(at, 'claimId', parameter.schema);
          if (parameter.in === 'query' && parameter.name === 'userId') expect_(at, 'userId', parameter.schema);
          if (parameter.in === 'header' && parameter.name === 'Idempotency-Key')
            expect_(at, 'idempotencyKey', parameter.schema);
        }
      }
    }
    expect(Object.keys(shown).length).toBeGreaterThan(8);
    expect(shown).toEqual(expected);
  });
});
