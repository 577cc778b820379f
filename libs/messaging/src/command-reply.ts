// The wire format of request/reply commands over core NATS: the request body is the command's JSON, the reply body
// is the result's JSON, or `{ "error": { "code", "message" } }` flagged by the Kubelabs-Error header.
import { headers as natsHeaders, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import type { CommandFailure } from './describe-failure';

export const COMMAND_ERROR_HEADER = 'Kubelabs-Error';

const encoder = new TextEncoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

export function encodeFailure(failure: CommandFailure): { data: Uint8Array; headers: MsgHdrs } {
  const h = natsHeaders();
  h.set(COMMAND_ERROR_HEADER, failure.code);
  return { data: encodeJson({ error: failure }), headers: h };
}

export type CommandReply = { ok: true; value: unknown } | { ok: false; error: CommandFailure };

export function decodeReply(msg: Pick<Msg, 'data' | 'headers'>): CommandReply {
  let body: unknown;
  try {
    body = msg.data.length === 0 ? null : JSON.parse(new TextDecoder().decode(msg.data));
  } catch {
    return { ok: false, error: { code: 'messaging.invalid_reply', message: 'reply is not valid JSON' } };
  }
  if (!msg.headers?.has(COMMAND_ERROR_HEADER)) return { ok: true, value: body };
  const error = (body as { error?: Partial<CommandFailure> } | null)?.error;
  return {
    ok: false,
    error: {
      code: typeof error?.code === 'string' ? error.code : msg.headers.get(COMMAND_ERROR_HEADER),
      message: typeof error?.message === 'string' ? error.message : 'command failed',
    },
  };
}
