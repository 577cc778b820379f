// Pure readings of what a handler threw. A handler error reaches the transport either as the thrown value (with
// JetStreamExceptionFilter) or as what Nest's default RPC filter made of it ({ status, message }, or an
// RpcException's error object); both shapes are understood here.
import { RpcException } from '@nestjs/microservices';
import { TerminalEventError } from './messaging-errors';

function unwrap(error: unknown): unknown {
  return error instanceof RpcException && !(error instanceof TerminalEventError) ? error.getError() : error;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The handler gave up on the event for good: dead-letter now, do not retry. */
export function isTerminalFailure(error: unknown): boolean {
  const e = unwrap(error);
  return e instanceof TerminalEventError || field(e, 'terminal') === true;
}

/** A one-line reason for a dead letter or a log line. */
export function failureReason(error: unknown): string {
  const e = unwrap(error);
  if (typeof e === 'string') return e || 'handler failed';
  const message = field(e, 'message');
  if (typeof message === 'string' && message) {
    const code = field(e, 'code');
    return typeof code === 'string' && code && !message.startsWith(code) ? `${code}: ${message}` : message;
  }
  return 'handler failed';
}

// Stable domain codes look like `claim.not_found`; Node's `ECONNREFUSED` or `ERR_...` codes are internals.
const DOMAIN_CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export interface CommandFailure {
  code: string;
  message: string;
}

/**
 * What a command's caller is told. Errors with a stable string `code` (domain errors, RpcException objects) are
 * passed on; anything else is an internal error whose details stay in our logs.
 */
export function commandFailure(error: unknown): CommandFailure {
  const e = unwrap(error);
  const code = field(e, 'code');
  const message = field(e, 'message');
  if (typeof code === 'string' && DOMAIN_CODE.test(code) && typeof message === 'string') return { code, message };
  return { code: 'internal', message: 'internal error' };
}
