// Decides, per request, whether a key hash is valid with as few database lookups as possible: verified hashes are
// cached briefly, hashes that did not verify are remembered briefly (negative cache), concurrent lookups of one hash
// share one query (single-flight), and a client that keeps failing is answered 429 before any lookup. The lookup
// itself is the only I/O, passed in.
import type { ApiKeyScope } from '@kubelabs/persistence';
import { BoundedCache } from './bounded-cache';
import { FailedAuthLimiter } from './failed-auth-limiter';

export interface Caller {
  apiKeyId: string;
  name: string;
  scopes: ApiKeyScope[];
}

export type Verification =
  { outcome: 'valid'; caller: Caller } | { outcome: 'unknown' } | { outcome: 'rate_limited'; retryAfterMs: number };

export interface KeyVerifierSettings {
  /** A verified hash is trusted without a lookup this long: the longest a revocation takes to bite. */
  verifiedTtlMs: number;
  /** A hash that verified is remembered this long, so that re-verifying it is never refused by the limiter. */
  rememberValidMs: number;
  /** A hash that did not verify is answered without a lookup this long (0: never). */
  negativeTtlMs: number;
  /** Most hashes each cache holds. */
  maxKeys: number;
  /** Failed authentications per client (0: unlimited) ... */
  failures: number;
  /** ... within this window. */
  windowMs: number;
  /** Most clients tracked at once. */
  maxClients: number;
}

export type KeyLookup = (hash: string) => Promise<Caller | null>;

export class KeyVerifier {
  private readonly verified: BoundedCache<string, { caller: Caller; verifiedAt: number }>;
  private readonly refused: BoundedCache<string, true>;
  private readonly limiter: FailedAuthLimiter;
  private readonly inFlight = new Map<string, Promise<Caller | null>>();
  // Bumped when keys change; a lookup started before the change answers its own request but caches nothing.
  private generation = 0;

  constructor(
    private readonly lookup: KeyLookup,
    private readonly settings: KeyVerifierSettings,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.verified = new BoundedCache(settings.maxKeys);
    this.refused = new BoundedCache(settings.negativeTtlMs > 0 ? settings.maxKeys : 0);
    this.limiter = new FailedAuthLimiter(settings);
  }

  /**
   * Order: a freshly verified hash passes without a lookup, whatever the client did; a hash that verified before
   * is looked up again without asking the limiter; any other hash spends one failure from the client's budget first
   * (429 when there is none), then the negative cache or one shared lookup decides, and a valid key gets its
   * failure back.
   */
  async verify(hash: string, client: string): Promise<Verification> {
    const now = this.clock();
    const known = this.verified.get(hash, now);
    if (known && now - known.verifiedAt < this.settings.verifiedTtlMs)
      return { outcome: 'valid', caller: known.caller };
    let charged = false;
    if (!known) {
      if (this.limiter.enabled) {
        const attempt = this.limiter.tryCharge(client, now);
        if (!attempt.allowed) return { outcome: 'rate_limited', retryAfterMs: attempt.retryAfterMs };
        charged = true;
      }
      if (this.refused.get(hash, now)) return { outcome: 'unknown' };
    }
    let caller: Caller | null;
    try {
      caller = await this.lookupOnce(hash);
    } catch (error) {
      if (charged) this.limiter.refund(client, this.clock());
      throw error;
    }
    if (!caller) return { outcome: 'unknown' };
    if (charged) this.limiter.refund(client, this.clock());
    return { outcome: 'valid', caller };
  }

  /** A key with this hash was just created: stop refusing it here (other replicas within `negativeTtlMs`). */
  forgetRefusal(hash: string): void {
    this.generation++;
    this.refused.delete(hash);
    this.inFlight.delete(hash);
  }

  /** A key was revoked: verify every key again from now on (other replicas within `verifiedTtlMs`). */
  forgetVerified(): void {
    this.generation++;
    this.verified.clear();
    this.inFlight.clear();
  }

  private lookupOnce(hash: string): Promise<Caller | null> {
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const flight = this.lookup(hash)
      .then((caller) => {
        if (generation === this.generation) this.remember(hash, caller, this.clock());
        return caller;
      })
      .finally(() => {
        if (this.inFlight.get(hash) === flight) this.inFlight.delete(hash);
      });
    this.inFlight.set(hash, flight);
    return flight;
  }

  private remember(hash: string, caller: Caller | null, now: number): void {
    if (caller) {
      this.verified.set(hash, { caller, verifiedAt: now }, now + this.settings.rememberValidMs);
      this.refused.delete(hash);
    } else {
      this.verified.delete(hash);
      this.refused.set(hash, true, now + this.settings.negativeTtlMs);
    }
  }
}
