// One request/reply command over core NATS: parse and validate the request, run the `@MessagePattern` handler, and
// always reply, with the result or with `{ error: { code, message } }`; a failing handler never crashes the process.
import type { LoggerService } from '@nestjs/common';
import type { Msg } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import { encodeFailure, encodeJson } from './command-reply';
import { commandFailure, failureReason, type CommandFailure } from './describe-failure';
import type { EventValidator } from './envelope';
import { CommandContext } from './jetstream-context';
import { readTraceHeaders, toOtelContext } from './trace-context';

export interface ServeCommandDeps {
  pattern: string;
  validator?: EventValidator | undefined;
  invoke(data: unknown, ctx: CommandContext): Promise<unknown>;
  logger: LoggerService;
}

export async function serveCommand(msg: Msg, deps: ServeCommandDeps): Promise<void> {
  const fail = (failure: CommandFailure) => {
    const { data, headers } = encodeFailure(failure);
    msg.respond(data, { headers });
  };
  let data: unknown;
  try {
    data = msg.data.length === 0 ? undefined : JSON.parse(new TextDecoder().decode(msg.data));
  } catch {
    return fail({ code: 'messaging.invalid_request', message: 'request is not valid JSON' });
  }
  const invalid = deps.validator?.(deps.pattern, data) ?? null;
  if (invalid !== null) return fail({ code: 'messaging.invalid_request', message: invalid });

  const traceContext = readTraceHeaders(msg.headers);
  const ctx = new CommandContext(msg, traceContext, deps.pattern);
  let result: unknown;
  try {
    result = await context.with(toOtelContext(traceContext), () => deps.invoke(data, ctx));
  } catch (error) {
    const failure = commandFailure(error);
    if (failure.code === 'internal') deps.logger.error(`command ${deps.pattern} failed: ${failureReason(error)}`);
    return fail(failure);
  }
  msg.respond(encodeJson(result));
}
