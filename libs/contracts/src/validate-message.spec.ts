// The validators accept every documented example and reject broken messages with a reason that names the field.
import { describe, expect, it } from 'vitest';
import {
  commandSubjects,
  eventTypes,
  idPatterns,
  isEventPayload,
  schemaDocuments,
  subjectsDocument,
  validateCommand,
  validateCommandReply,
  validateEnvelope,
  validateEvent,
  type Envelope,
  type EventType,
} from '@kubelabs/contracts';

function examplesOf(path: string): unknown[] {
  const examples = (schemaDocuments[path] as { examples?: unknown[] }).examples ?? [];
  expect(examples.length, `${path} documents at least one example`).toBeGreaterThan(0);
  return examples;
}

const ready = {
  tenantId: 't-cka-basics-7f3k2',
  labId: 'cka-basics',
  kubernetesVersion: '1.36',
  namespace: 'kubelabs-t-cka-basics-7f3k2',
  readyAt: '2026-11-20T10:15:00.000Z',
};

const claimed = {
  tenantId: 't-cka-basics-7f3k2',
  claimId: 'c-9m2x8q',
  labId: 'cka-basics',
  kubernetesVersion: '1.36',
  userId: 'slack:T024BE7LD:U0G9QF9C6',
  claimedAt: '2026-11-20T10:20:00.000Z',
  expiresAt: '2026-11-20T12:20:00.000Z',
  access: {
    state: 'open' as const,
    ssh: { host: 'labs.example.org', port: 30022, user: 'student', command: 'ssh -p 30022 student@labs.example.org' },
    api: { host: 'labs.example.org', port: 30443, server: 'https://labs.example.org:30443' },
    kubeconfig: { path: '/v1/claims/c-9m2x8q/kubeconfig' },
  },
};

function envelopeOf<T extends EventType>(type: T, data: Envelope<T>['data']): Envelope<T> {
  return {
    specversion: '1.0',
    id: '0b7e4f8e-3c1d-4a57-9a0e-2f6f1e2d9c41',
    source: '/kubelabs/provisioner',
    type,
    subject: 't-cka-basics-7f3k2',
    time: '2026-11-20T10:15:00.000Z',
    datacontenttype: 'application/json',
    data,
  };
}

describe('event payloads', () => {
  it.each(subjectsDocument.events.map((event) => [event.type, event.schema] as const))(
    'accepts the documented examples of %s',
    (type, schema) => {
      for (const example of examplesOf(schema)) expect(validateEvent(type, example)).toBeNull();
    },
  );

  it.each([
    {
      name: 'a missing required field',
      type: 'tenant.ready',
      data: { ...ready, readyAt: undefined },
      error: '/readyAt is required',
    },
    {
      name: 'an unknown field',
      type: 'tenant.ready',
      data: { ...ready, kubeconfig: 'apiVersion: v1' },
      error: '/kubeconfig is not allowed',
    },
    {
      name: 'a Kubernetes version that is not a minor version',
      type: 'tenant.ready',
      data: { ...ready, kubernetesVersion: '1.36.2' },
      error: '/kubernetesVersion must match pattern',
    },
    {
      name: 'a lab id that is not a slug',
      type: 'tenant.ready',
      data: { ...ready, labId: 'CKA Basics' },
      error: '/labId must match pattern',
    },
    {
      name: 'a tenant id without its prefix',
      type: 'tenant.ready',
      data: { ...ready, tenantId: 'cka-basics-7f3k2' },
      error: '/tenantId must match pattern',
    },
    {
      name: 'a time without a time zone',
      type: 'tenant.ready',
      data: { ...ready, readyAt: '2026-11-20 10:15' },
      error: '/readyAt must match format "date-time"',
    },
    {
      name: 'a port out of range',
      type: 'tenant.claimed',
      data: { ...claimed, access: { ...claimed.access, ssh: { ...claimed.access.ssh, port: 70000 } } },
      error: '/access/ssh/port must be <= 65535',
    },
    {
      name: 'a kubeconfig in the access block',
      type: 'tenant.claimed',
      data: { ...claimed, access: { ...claimed.access, kubeconfig: { path: '/x', content: 'apiVersion: v1' } } },
      error: '/access/kubeconfig/content is not allowed',
    },
    {
      name: 'an unknown release reason',
      type: 'tenant.released',
      data: {
        tenantId: 't-a1',
        labId: 'lab',
        kubernetesVersion: '1.35',
        reason: 'bored',
        releasedAt: '2026-11-20T10:15:00Z',
      },
      error: '/reason must be one of "user", "expired"',
    },
    {
      name: 'an unknown provisioning step',
      type: 'tenant.provisioning',
      data: { tenantId: 't-a1', labId: 'lab', kubernetesVersion: '1.35', step: 'cooking', message: '' },
      error: '/step must be one of',
    },
    {
      name: 'a failure reason that is not a stable code',
      type: 'tenant.failed',
      data: { tenantId: 't-a1', labId: 'lab', kubernetesVersion: '1.35', reason: 'VM broke', message: 'x' },
      error: '/reason must match pattern',
    },
    {
      name: 'negative minutes left',
      type: 'tenant.expiring',
      data: { tenantId: 't-a1', claimId: 'c-b2', userId: 'u1', expiresAt: '2026-11-20T10:15:00Z', minutesLeft: -1 },
      error: '/minutesLeft must be >= 0',
    },
    {
      name: 'an empty list of opened ports',
      type: 'tenant.exposure.opened',
      data: { tenantId: 't-a1', ports: [] },
      error: '/ports must NOT have fewer than 1 items',
    },
    { name: 'a payload that is not an object', type: 'tenant.ready', data: 'ready', error: '/ must be object' },
  ])('rejects $name, naming the field', ({ type, data, error }) => {
    const cleaned = typeof data === 'object' ? JSON.parse(JSON.stringify(data)) : data;
    expect(validateEvent(type, cleaned)).toContain(error);
  });

  it('rejects an unknown event type', () => {
    expect(validateEvent('tenant.exploded', ready)).toBe("unknown event type 'tenant.exploded'");
  });

  it('narrows the payload type with the guard', () => {
    const data: unknown = ready;
    if (!isEventPayload('tenant.ready', data)) throw new Error('expected a valid payload');
    expect(data.readyAt).toBe(ready.readyAt);
  });
});

describe('envelope', () => {
  it('accepts a CloudEvents envelope around a valid payload', () => {
    expect(validateEnvelope(envelopeOf('tenant.ready', ready))).toBeNull();
    expect(validateEnvelope(examplesOf('events/envelope.schema.json')[0])).toBeNull();
  });

  it('tolerates CloudEvents extension attributes', () => {
    expect(
      validateEnvelope({
        ...envelopeOf('tenant.ready', ready),
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
    ).toBeNull();
  });

  it.each([
    { name: 'a wrong spec version', change: { specversion: '0.3' }, error: '/specversion must be equal to constant' },
    { name: 'an id that is not a uuid', change: { id: 'abc' }, error: '/id must match format "uuid"' },
    {
      name: 'a source outside /kubelabs',
      change: { source: 'https://example.org' },
      error: '/source must match pattern',
    },
    { name: 'a missing time', change: { time: undefined }, error: '/time is required' },
    {
      name: 'a non-JSON data content type',
      change: { datacontenttype: 'text/plain' },
      error: '/datacontenttype must be equal to constant',
    },
    { name: 'an attribute name CloudEvents forbids', change: { Trace_Id: 'x' }, error: '/Trace_Id is not allowed' },
    {
      name: 'an unknown event type',
      change: { type: 'tenant.exploded' },
      error: "/type: unknown event type 'tenant.exploded'",
    },
    {
      name: 'an invalid payload',
      change: { data: { ...ready, namespace: 'Not_A_Namespace' } },
      error: '/data/namespace must match pattern',
    },
  ])('rejects $name, naming the attribute', ({ change, error }) => {
    const envelope = JSON.parse(JSON.stringify({ ...envelopeOf('tenant.ready', ready), ...change }));
    expect(validateEnvelope(envelope)).toContain(error);
  });
});

describe('commands', () => {
  it.each(subjectsDocument.commands.map((command) => [command.subject, command.request, command.reply] as const))(
    'accepts the documented request and reply examples of %s',
    (subject, request, reply) => {
      for (const example of examplesOf(request)) expect(validateCommand(subject, example)).toBeNull();
      for (const example of examplesOf(reply)) expect(validateCommandReply(subject, example)).toBeNull();
    },
  );

  it.each([
    {
      name: 'a request without a lab',
      subject: 'cmd.claim.create',
      data: { userId: 'u1' },
      error: '/labId is required',
    },
    {
      name: 'a private key where the public key goes',
      subject: 'cmd.claim.create',
      data: { labId: 'lab', userId: 'u1', sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' },
      error: '/sshPublicKey must match pattern',
    },
    {
      name: 'a release without its owner',
      subject: 'cmd.claim.release',
      data: { claimId: 'c-b2' },
      error: '/userId is required',
    },
    {
      name: 'a get with a malformed claim id',
      subject: 'cmd.claim.get',
      data: { claimId: '42' },
      error: '/claimId must match pattern',
    },
  ])('rejects $name, naming the field', ({ subject, data, error }) => {
    expect(validateCommand(subject, data)).toContain(error);
  });

  it.each([
    {
      name: 'a claim in an unknown state',
      data: { id: 'c-b2', state: 'lost', labId: 'lab', userId: 'u1', kubernetesVersion: '1.36' },
      error: '/state must be one of',
    },
    {
      name: 'an error without a status',
      data: { error: { code: 'claim.not_found', title: 'Not found', detail: 'x' } },
      error: '/error/status is required',
    },
    {
      name: 'an error status that is not an error',
      data: { error: { code: 'claim.not_found', title: 'Not found', detail: 'x', status: 200 } },
      error: '/error/status must be >= 400',
    },
  ])('rejects a reply with $name, naming the field of the shape it meant', ({ data, error }) => {
    expect(validateCommandReply('cmd.claim.get', data)).toContain(error);
  });

  it('rejects an unknown command subject', () => {
    expect(validateCommand('cmd.claim.steal', {})).toBe("unknown command subject 'cmd.claim.steal'");
  });
});

describe('identifiers', () => {
  it.each([
    ['labId', 'cka-basics', 'cka_basics'],
    ['tenantId', 't-cka-basics-7f3k2', 't-'],
    ['claimId', 'c-9m2x8q', 'c-9m2x8q-'],
    ['userId', 'discord:80351110224678912', 'slack user'],
    ['kubernetesVersion', '1.36', 'v1.36'],
    ['namespace', 'kubelabs-t-a1', 'kubelabs.t'],
  ] as const)('%s accepts %s and rejects %s', (name, good, bad) => {
    expect(idPatterns[name].test(good)).toBe(true);
    expect(idPatterns[name].test(bad)).toBe(false);
  });

  it('makes the namespace of the longest tenant id a valid namespace name', () => {
    const longest = `t-${'a'.repeat(40)}`;
    expect(idPatterns.tenantId.test(longest)).toBe(true);
    expect(idPatterns.tenantId.test(`${longest}a`)).toBe(false);
    expect(idPatterns.namespace.test(`kubelabs-${longest}`)).toBe(true);
  });

  it('lists as many event types and command subjects as the catalog', () => {
    expect(eventTypes).toHaveLength(subjectsDocument.events.length);
    expect(commandSubjects).toHaveLength(subjectsDocument.commands.length);
  });
});
