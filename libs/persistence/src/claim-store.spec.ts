// The claim store's writes on the MongoDB lane: idempotency records, claim inserts and the expiry warning mark, each
// a single conditional write whose result tells its caller whether it did the work.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClaimStore } from './claim-store';
import { Persistence } from './persistence';
import type { ClaimDocument } from './schemas';

function databaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/test_${randomUUID().slice(0, 8)}`;
  return url.toString();
}

const t0 = new Date('2026-11-20T10:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function activeClaim(id: string): ClaimDocument {
  return {
    _id: id,
    userId: `user-${id}`,
    labId: 'lab',
    kubernetesVersion: '1.36',
    poolKey: 'lab@1.36',
    state: 'active',
    seq: 1,
    tenantId: 't-1',
    requestedAt: t0,
    activatedAt: t0,
    expiresAt: minutes(60),
    extendedMinutes: 0,
    updatedAt: t0,
  } as ClaimDocument;
}

describe('ClaimStore on the MongoDB lane', () => {
  let persistence: Persistence;
  let store: ClaimStore;

  beforeAll(async () => {
    persistence = await Persistence.connect(databaseUrl(inject('lanes').mongoUrl));
    store = new ClaimStore(persistence);
  });
  afterAll(async () => {
    await persistence.connection.dropDatabase();
    await persistence.close();
  });

  it('reserves an idempotency key once, and releases it only for the claim that reserved it', async () => {
    expect(await store.reserveIdempotencyKey('k1:idem', 'c-1', 'hash', t0)).toBe(true);
    expect(await store.reserveIdempotencyKey('k1:idem', 'c-2', 'hash', t0)).toBe(false);

    await store.releaseIdempotencyKey('k1:idem', 'c-2');
    expect(await persistence.idempotencyRecords.findById('k1:idem').lean()).toMatchObject({ claimId: 'c-1' });
    await store.releaseIdempotencyKey('k1:idem', 'c-1');
    expect(await persistence.idempotencyRecords.findById('k1:idem').lean()).toBeNull();
    expect(await store.reserveIdempotencyKey('k1:idem', 'c-3', 'hash', t0)).toBe(true);
  });

  it('inserts a claim as built, and refuses a second claim with its id', async () => {
    await store.createClaim(activeClaim('c-insert'));
    expect(await persistence.claims.findById('c-insert').lean()).toMatchObject({ state: 'active', tenantId: 't-1' });
    await expect(store.createClaim(activeClaim('c-insert'))).rejects.toThrow();
  });

  it('marks an active claim as warned of its expiry once, and again after it was extended', async () => {
    await store.createClaim(activeClaim('c-warn'));
    expect(await store.markExpiringNotified('c-warn', minutes(50))).toMatchObject({ expiringNotifiedAt: minutes(50) });
    expect(await store.markExpiringNotified('c-warn', minutes(51))).toBeNull();

    await store.extendClaim('c-warn', 30, { durationMinutes: 60, maxExtensionMinutes: 60 });
    expect(await store.markExpiringNotified('c-warn', minutes(80))).toMatchObject({
      expiresAt: minutes(90),
      expiringNotifiedAt: minutes(80),
    });

    await store.endClaim('c-warn', 'released', minutes(85));
    expect(await store.markExpiringNotified('c-warn', minutes(86))).toBeNull();
  });
});
