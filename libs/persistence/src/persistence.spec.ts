import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DomainError } from '@kubelabs/domain';
import { Persistence } from './persistence';
import { withPersistenceErrors } from './persistence-error';

function databaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/test_${randomUUID().slice(0, 8)}`;
  return url.toString();
}

describe('Persistence on the MongoDB lane', () => {
  let persistence: Persistence;

  beforeAll(async () => {
    persistence = await Persistence.connect(databaseUrl(inject('lanes').mongoUrl));
  });
  afterAll(async () => {
    await persistence.connection.dropDatabase();
    await persistence.close();
  });

  it('answers a readiness ping', async () => {
    expect(await persistence.ping()).toBe(true);
  });

  it('surfaces a unique-key violation as a typed error', async () => {
    const hold = { _id: 'ada#0', userId: 'ada', claimId: 'c-1', createdAt: new Date() };
    await persistence.claimHolds.create(hold);
    const second = withPersistenceErrors('claim_holds', () =>
      persistence.claimHolds.create({ ...hold, claimId: 'c-2' }),
    );
    await expect(second).rejects.toBeInstanceOf(DomainError);
    await expect(second).rejects.toMatchObject({ code: 'persistence.duplicate_key' });
    expect(await persistence.claimHolds.countDocuments({ userId: 'ada' })).toBe(1);
  });

  it('enforces a unique secondary index (API key hash)', async () => {
    const key = { name: 'a', scopes: ['claim' as const], hash: 'h1', prefix: 'kl_', createdAt: new Date() };
    await persistence.apiKeys.create({ _id: 'k1', ...key });
    await expect(
      withPersistenceErrors('api_keys', () => persistence.apiKeys.create({ _id: 'k2', ...key })),
    ).rejects.toMatchObject({ code: 'persistence.duplicate_key', details: { keys: ['hash'] } });
  });

  it('gives exactly one winner to 50 concurrent conditional updates of one document', async () => {
    const now = new Date();
    await persistence.tenants.create({
      _id: 't-race',
      labId: 'lab',
      kubernetesVersion: '1.36',
      poolKey: 'lab@1.36',
      namespace: 'kubelabs-t-race',
      state: 'ready',
      provisioningDeadline: now,
      readyAt: now,
      createdAt: now,
      conditions: [],
    });
    const attempts = Array.from({ length: 50 }, (_, i) =>
      persistence.tenants
        .findOneAndUpdate(
          { _id: 't-race', state: 'ready' },
          { $set: { state: 'claimed', claimId: `c-${i}`, claimedAt: new Date() } },
          { returnDocument: 'after', lean: true },
        )
        .exec(),
    );
    const winners = (await Promise.all(attempts)).filter((doc) => doc !== null);
    expect(winners).toHaveLength(1);
    const stored = await persistence.tenants.findById('t-race').lean();
    expect(stored?.claimId).toBe(winners[0]!.claimId);
  });
});
