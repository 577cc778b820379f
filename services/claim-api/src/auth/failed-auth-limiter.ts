// Bounds what wrong API keys from one client can cost: each failed authentication spends from the client's budget of
// `failures` per `windowMs` (GCRA, a token bucket kept as one number per client); a client with nothing left is
// answered 429 without a database lookup until its budget refills by one.
import { BoundedCache } from './bounded-cache';

export interface FailureLimit {
  /** Failures a client may make at once; 0 turns the limit off. */
  failures: number;
  /** Time in which a spent budget refills completely: one failure back every windowMs / failures. */
  windowMs: number;
}

export type Attempt = { allowed: true; tat: number } | { allowed: false; retryAfterMs: number };

// Float slack, so `failures` charges at one instant fit a window that is not a multiple of `failures`.
const epsilonMs = 1e-6;

/**
 * Pure. `tat` is the client's theoretical arrival time: the moment its budget is full again (undefined or in the
 * past: full now). An attempt is charged one failure up front; it is allowed while the charged budget stays within
 * the window, else the answer says how long until it would be.
 */
export function planAttempt(tat: number | undefined, now: number, limit: FailureLimit): Attempt {
  const cost = limit.windowMs / limit.failures;
  const next = Math.max(tat ?? now, now) + cost;
  if (next - now <= limit.windowMs + epsilonMs) return { allowed: true, tat: next };
  return { allowed: false, retryAfterMs: next - now - limit.windowMs };
}

/** Pure: the client's `tat` after a charged attempt turned out to be a valid key (undefined: the budget is full). */
export function planRefund(tat: number, now: number, limit: FailureLimit): number | undefined {
  const back = tat - limit.windowMs / limit.failures;
  return back > now ? back : undefined;
}

/** Seconds for a Retry-After header: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The budgets of at most `maxClients` clients in memory; the least recently seen one is forgotten first. */
export class FailedAuthLimiter {
  private readonly budgets: BoundedCache<string, number>;

  constructor(private readonly limit: FailureLimit & { maxClients: number }) {
    this.budgets = new BoundedCache(limit.maxClients);
  }

  get enabled(): boolean {
    return this.limit.failures > 0;
  }

  /** Charges `client` one failure before a lookup, or says how long it must wait. */
  tryCharge(client: string, now: number): Attempt {
    const attempt = planAttempt(this.budgets.get(client, now), now, this.limit);
    // The entry means nothing once the budget is full again, so it expires then.
    if (attempt.allowed) this.budgets.set(client, attempt.tat, attempt.tat);
    return attempt;
  }

  /** Gives back the failure charged for an attempt that turned out valid (or could not be decided). */
  refund(client: string, now: number): void {
    const tat = this.budgets.get(client, now);
    if (tat === undefined) return;
    const back = planRefund(tat, now, this.limit);
    if (back === undefined) this.budgets.delete(client);
    else this.budgets.set(client, back, back);
  }
}
