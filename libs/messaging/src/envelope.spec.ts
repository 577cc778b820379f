// The envelope's shape rules and the pure helpers around subjects and handler failures.
import { RpcException } from '@nestjs/microservices';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, createEnvelope, decodeEnvelope } from './envelope';
import { commandFailure, failureReason, isTerminalFailure } from './describe-failure';
import { TerminalEventError } from './messaging-errors';
import { eventTypeOf, subjectMatches, toNatsSubject } from './topology';

const valid = createEnvelope(
  'tenant.ready',
  { tenantId: 'tn-1' },
  { source: '/kubelabs/provisioner', subject: 'tn-1' },
);

describe('envelope', () => {
  it('builds a CloudEvents 1.0 envelope with a UUID id and an RFC 3339 time', () => {
    expect(valid).toMatchObject({
      specversion: '1.0',
      type: 'tenant.ready',
      source: '/kubelabs/provisioner',
      subject: 'tn-1',
      datacontenttype: 'application/json',
    });
    expect(valid.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(checkEnvelope(valid)).toBeNull();
  });

  it.each([
    { name: 'a non-object', value: [1], reason: 'envelope is not a JSON object' },
    {
      name: 'another spec version',
      value: { ...valid, specversion: '0.3' },
      reason: 'envelope specversion must be "1.0", got "0.3"',
    },
    { name: 'an empty id', value: { ...valid, id: '' }, reason: 'envelope id must be a non-empty string' },
    {
      name: 'a wildcard type',
      value: { ...valid, type: 'tenant.*' },
      reason: 'envelope type must be a dotted event name',
    },
    {
      name: 'a time that is no timestamp',
      value: { ...valid, time: 'yesterday' },
      reason: 'envelope time must be an RFC 3339 timestamp',
    },
    {
      name: 'another content type',
      value: { ...valid, datacontenttype: 'text/plain' },
      reason: 'envelope datacontenttype must be "application/json"',
    },
    { name: 'no data', value: { ...valid, data: undefined }, reason: 'envelope has no data' },
  ])('rejects $name', ({ value, reason }) => {
    expect(checkEnvelope(value)).toBe(reason);
  });

  it('decodes what it encodes and reports bytes that are not JSON', () => {
    expect(decodeEnvelope(new TextEncoder().encode(JSON.stringify(valid)))).toEqual({ envelope: valid });
    expect(decodeEnvelope(new TextEncoder().encode('{'))).toEqual({ reason: 'payload is not valid JSON' });
  });
});

describe('subjects', () => {
  it.each([
    { filter: 'tenant.>', subject: 'tenant.ready', matches: true },
    { filter: 'tenant.>', subject: 'tenant', matches: false },
    { filter: 'tenant.*', subject: 'tenant.ready.late', matches: false },
    { filter: '*.ready', subject: 'tenant.ready', matches: true },
    { filter: 'tenant.ready', subject: 'tenant.ready', matches: true },
    { filter: 'tenant.ready', subject: 'tenant.deleted', matches: false },
  ])('$filter matches $subject: $matches', ({ filter, subject, matches }) => {
    expect(subjectMatches(filter, subject)).toBe(matches);
  });

  it('adds and strips the subject prefix', () => {
    expect(toNatsSubject('run7', 'tenant.ready')).toBe('run7.tenant.ready');
    expect(toNatsSubject('', 'tenant.ready')).toBe('tenant.ready');
    expect(eventTypeOf('run7.', 'run7.tenant.ready')).toBe('tenant.ready');
  });
});

describe('handler failures', () => {
  it.each([
    { name: 'a plain Error', error: new Error('mongo down'), reason: 'mongo down', terminal: false },
    {
      name: 'a TerminalEventError',
      error: new TerminalEventError('bad lab', 'lab.not_found'),
      reason: 'lab.not_found: bad lab',
      terminal: true,
    },
    {
      name: "Nest's default filter output",
      error: { status: 'error', message: 'Internal server error' },
      reason: 'Internal server error',
      terminal: false,
    },
    {
      name: 'a TerminalEventError through the default filter',
      error: { code: 'lab.not_found', message: 'bad lab', terminal: true },
      reason: 'lab.not_found: bad lab',
      terminal: true,
    },
    {
      name: 'an RpcException with a string',
      error: new RpcException('quota exceeded'),
      reason: 'quota exceeded',
      terminal: false,
    },
  ])('reads $name', ({ error, reason, terminal }) => {
    expect(failureReason(error)).toBe(reason);
    expect(isTerminalFailure(error)).toBe(terminal);
  });

  it('passes domain error codes to command callers and hides everything else', () => {
    expect(commandFailure(Object.assign(new Error('no tenant'), { code: 'pool.exhausted' }))).toEqual({
      code: 'pool.exhausted',
      message: 'no tenant',
    });
    expect(commandFailure(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1'), { code: 'ECONNREFUSED' }))).toEqual(
      { code: 'internal', message: 'internal error' },
    );
    expect(commandFailure(new Error('secret'))).toEqual({ code: 'internal', message: 'internal error' });
  });
});
