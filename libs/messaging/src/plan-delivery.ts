// Pure decisions about one delivery: run the handler or not, and what to do after it failed. Kept apart from the
// pull loop so the retry policy can be read and table-tested without a server.
import type { BackoffPolicy } from './topology';

export type FailurePlan = { kind: 'retry'; delayMs: number } | { kind: 'deadletter' };

/** Delay before the next delivery after `deliveryCount` failed ones: initial × factor^(n-1), capped at maxMs. */
export function backoffDelay(deliveryCount: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, deliveryCount - 1);
  const delay = policy.initialMs * policy.factor ** exponent;
  return Math.round(Math.min(policy.maxMs, Math.max(0, delay)));
}

/** After a handler failure on delivery `deliveryCount`: retry later, or give up into the dead letters. */
export function planFailure(input: {
  deliveryCount: number;
  maxDeliver: number;
  backoff: BackoffPolicy;
  terminal: boolean;
}): FailurePlan {
  if (input.terminal || input.deliveryCount >= input.maxDeliver) return { kind: 'deadletter' };
  return { kind: 'retry', delayMs: backoffDelay(input.deliveryCount, input.backoff) };
}

/**
 * A delivery beyond `maxDeliver` means the handler already failed its last attempt but the dead letter could not be
 * written then; the handler does not run again, only the dead-lettering is retried.
 */
export function handlerExhausted(deliveryCount: number, maxDeliver: number): boolean {
  return deliveryCount > maxDeliver;
}
