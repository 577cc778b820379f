// Typed errors of the messaging lib. Each carries a stable code so callers (and logs and metrics) can tell them apart
// without parsing messages.
import { RpcException } from '@nestjs/microservices';

export type MessagingErrorCode =
  | 'messaging.setup_failed'
  | 'messaging.publish_failed'
  | 'messaging.invalid_event'
  | 'messaging.not_connected'
  | 'messaging.timeout'
  | 'messaging.no_responders'
  | 'messaging.request_failed';

/** A failure of the messaging layer itself (set-up, publishing, transport). */
export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }
}

/**
 * Thrown by an event handler when retrying cannot help (the event is wrong, not the moment): the message is
 * dead-lettered with this reason and terminated at once. Built on RpcException so that it survives Nest's default
 * RPC exception filter with its code and message intact.
 */
export class TerminalEventError extends RpcException {
  readonly terminal = true;

  constructor(
    message: string,
    readonly code: string = 'event.rejected',
  ) {
    super({ code, message, terminal: true });
    this.name = 'TerminalEventError';
  }
}

/** The error a command handler replied with, as the caller sees it. `code` is the handler's stable error code. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
