import { describe, expect, it } from 'vitest';
import { KeyVerifier, type Caller, type KeyVerifierSettings } from './key-verifier';

const settings: KeyVerifierSettings = {
  verifiedTtlMs: 5_000,
  rememberValidMs: 600_000,
  negativeTtlMs: 5_000,
  maxKeys: 1_000,
  failures: 5,
  windowMs: 10_000,
  maxClients: 1_000,
};

const ada: Caller = { apiKeyId: 'key-ada', name: 'ada', scopes: ['claim'] };

/**
 * A verifier over an in-memory key table (the database lookup is the only I/O it is given) with a hand-driven clock;
 * `held` makes lookups answer only on `release()`, to line up concurrent requests.
 */
function setUp(overrides: Partial<KeyVerifierSettings> = {}) {
  const keys = new Map<string, Caller>([['valid', ada]]);
  const state = { now: 0, lookups: 0, held: false };
  let waiting: (() => void)[] = [];
  const verifier = new KeyVerifier(
    async (hash) => {
      state.lookups++;
      const caller = keys.get(hash) ?? null; // read when the query starts; the answer arrives on release()
      if (state.held) await new Promise<void>((resolve) => waiting.push(resolve));
      return caller;
    },
    { ...settings, ...overrides },
    () => state.now,
  );
  const release = (): void => {
    state.held = false;
    for (const resolve of waiting) resolve();
    waiting = [];
  };
  return { verifier, keys, state, release };
}

describe('KeyVerifier', () => {
  it('answers a valid key from its cache for verifiedTtlMs, then looks it up again', async () => {
    const { verifier, state } = setUp();
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'valid', caller: ada });
    state.now = 4_999;
    await verifier.verify('valid', 'c1');
    expect(state.lookups).toBe(1);
    state.now = 5_000;
    await verifier.verify('valid', 'c1');
    expect(state.lookups).toBe(2);
  });

  it('answers a repeated wrong key without a lookup until negativeTtlMs has passed', async () => {
    const { verifier, state } = setUp({ failures: 0 });
    for (let i = 0; i < 100; i++) expect(await verifier.verify('wrong', `c${i}`)).toEqual({ outcome: 'unknown' });
    expect(state.lookups).toBe(1);
    state.now = 5_000;
    await verifier.verify('wrong', 'c1');
    expect(state.lookups).toBe(2);
  });

  it('shares one lookup among concurrent verifications of one unknown hash', async () => {
    const { verifier, state, release } = setUp({ failures: 0 });
    state.held = true;
    const answers = Array.from({ length: 50 }, (_, i) => verifier.verify('wrong', `c${i}`));
    release();
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 50 }, () => ({ outcome: 'unknown' })));
    expect(state.lookups).toBe(1);
  });

  it('answers a client rate_limited after `failures` wrong keys, without a lookup, with the time to wait', async () => {
    const { verifier, state } = setUp();
    for (let i = 0; i < 5; i++) expect(await verifier.verify(`wrong-${i}`, 'c1')).toEqual({ outcome: 'unknown' });
    expect(await verifier.verify('wrong-5', 'c1')).toEqual({ outcome: 'rate_limited', retryAfterMs: 2_000 });
    expect(state.lookups).toBe(5);
    state.now = 2_000;
    expect(await verifier.verify('wrong-6', 'c1')).toEqual({ outcome: 'unknown' });
    expect(await verifier.verify('wrong-7', 'c1')).toMatchObject({ outcome: 'rate_limited' });
  });

  it('counts a wrong key answered from the negative cache as a failure too', async () => {
    const { verifier, state } = setUp();
    for (let i = 0; i < 5; i++) await verifier.verify('wrong', 'c1');
    expect(await verifier.verify('wrong', 'c1')).toMatchObject({ outcome: 'rate_limited' });
    expect(state.lookups).toBe(1);
  });

  it('charges concurrent attempts before their lookups: 50 distinct wrong keys at once cost `failures` lookups', async () => {
    const { verifier, state, release } = setUp();
    state.held = true;
    const answers = Array.from({ length: 50 }, (_, i) => verifier.verify(`wrong-${i}`, 'c1'));
    release();
    const outcomes = (await Promise.all(answers)).map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'unknown')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(45);
    expect(state.lookups).toBe(5);
  });

  it("never limits a client for another client's failures", async () => {
    const { verifier } = setUp();
    for (let i = 0; i < 20; i++) await verifier.verify(`wrong-${i}`, 'attacker');
    expect(await verifier.verify('valid', 'neighbour')).toEqual({ outcome: 'valid', caller: ada });
    expect(await verifier.verify('wrong', 'neighbour')).toEqual({ outcome: 'unknown' });
  });

  it('keeps accepting a valid key from a limited client: from the cache, and re-verified without asking the limiter', async () => {
    const { verifier, state } = setUp();
    await verifier.verify('valid', 'c1');
    for (let i = 0; i < 5; i++) await verifier.verify(`wrong-${i}`, 'c1');
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'valid', caller: ada });
    state.now = 6_000; // the cache entry is stale; the client has spent its budget again meanwhile
    for (let i = 0; i < 5; i++) await verifier.verify(`wrong-late-${i}`, 'c1');
    expect(await verifier.verify('wrong-late-5', 'c1')).toMatchObject({ outcome: 'rate_limited' });
    const lookups = state.lookups;
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'valid', caller: ada });
    expect(state.lookups).toBe(lookups + 1);
  });

  it('refuses a valid key it has never verified from a limited client until the budget refills (by choice)', async () => {
    const { verifier, state } = setUp();
    for (let i = 0; i < 5; i++) await verifier.verify(`wrong-${i}`, 'c1');
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'rate_limited', retryAfterMs: 2_000 });
    state.now = 2_000;
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'valid', caller: ada });
  });

  it('gives the failure charged for a lookup back when the key is valid', async () => {
    const { verifier } = setUp({ verifiedTtlMs: 0, rememberValidMs: 0 }); // every verification is a charged lookup
    for (let i = 0; i < 4; i++) await verifier.verify(`wrong-${i}`, 'c1');
    for (let i = 0; i < 10; i++) expect(await verifier.verify('valid', 'c1')).toMatchObject({ outcome: 'valid' });
    expect(await verifier.verify('wrong-4', 'c1')).toEqual({ outcome: 'unknown' });
    expect(await verifier.verify('wrong-5', 'c1')).toMatchObject({ outcome: 'rate_limited' });
  });

  it('accepts a key created after it was refused, once told (forgetRefusal)', async () => {
    const { verifier, keys } = setUp();
    expect(await verifier.verify('new', 'c1')).toEqual({ outcome: 'unknown' });
    keys.set('new', ada);
    expect(await verifier.verify('new', 'c1')).toEqual({ outcome: 'unknown' });
    verifier.forgetRefusal('new');
    expect(await verifier.verify('new', 'c1')).toEqual({ outcome: 'valid', caller: ada });
  });

  it('refuses a revoked key at once when told (forgetVerified), even if a lookup was in flight', async () => {
    const { verifier, keys, state, release } = setUp();
    await verifier.verify('valid', 'c1');
    state.now = 5_000;
    state.held = true;
    const inFlight = verifier.verify('valid', 'c1'); // started before the revocation: answers valid, caches nothing
    keys.delete('valid');
    verifier.forgetVerified();
    const after = verifier.verify('valid', 'c1');
    release();
    expect(await inFlight).toMatchObject({ outcome: 'valid' });
    expect(await after).toEqual({ outcome: 'unknown' });
    expect(await verifier.verify('valid', 'c1')).toEqual({ outcome: 'unknown' });
  });

  it('with the negative cache and the limit off, looks up every wrong key', async () => {
    const { verifier, state } = setUp({ negativeTtlMs: 0, failures: 0 });
    for (let i = 0; i < 100; i++) expect(await verifier.verify('wrong', 'c1')).toEqual({ outcome: 'unknown' });
    expect(state.lookups).toBe(100);
  });

  it('gives the failure back and passes the error on when the lookup fails', async () => {
    let down = true;
    const verifier = new KeyVerifier(
      async () => {
        if (down) throw new Error('database down');
        return null;
      },
      settings,
      () => 0,
    );
    for (let i = 0; i < 10; i++) await expect(verifier.verify(`k${i}`, 'c1')).rejects.toThrow('database down');
    down = false;
    expect(await verifier.verify('k', 'c1')).toEqual({ outcome: 'unknown' });
  });
});
