// The tenant store on the MongoDB lane: every transition is one conditional update that only its source state
// allows, and only the write that changed a tenant reports true (its caller is the one that announces it).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Persistence } from './persistence';
import { TenantStore } from './tenant-store';

function databaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/test_${randomUUID().slice(0, 8)}`;
  return url.toString();
}

const t0 = new Date('2026-11-20T10:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const condition = (type: string) => ({ type, status: 'True' as const, reason: 'Spec', message: type });

describe('TenantStore on the MongoDB lane', () => {
  let persistence: Persistence;
  let store: TenantStore;
  let serial = 0;

  /** A new provisioning tenant of its own pool (each test owns its ids and pools). */
  const provisioning = async (options: { pool?: string; deadline?: Date } = {}) => {
    const id = `t-spec-${++serial}-${randomUUID().slice(0, 6)}`;
    return store.create(
      {
        id,
        labId: options.pool ?? `lab-${serial}`,
        kubernetesVersion: '1.36',
        provisioningDeadline: options.deadline ?? minutes(30),
      },
      t0,
    );
  };
  const ready = async (options: { pool?: string; at?: Date } = {}) => {
    const tenant = await provisioning(options);
    expect(await store.markReady(tenant._id, options.at ?? t0)).toBe(true);
    return tenant;
  };
  const stored = async (id: string) => persistence.tenants.findById(id).lean().exec();

  beforeAll(async () => {
    persistence = await Persistence.connect(databaseUrl(inject('lanes').mongoUrl));
    store = new TenantStore(persistence);
  });
  afterAll(async () => {
    await persistence.connection.dropDatabase();
    await persistence.close();
  });

  it('creates a provisioning tenant whose namespace and pool follow from its id, lab and version', async () => {
    const tenant = await provisioning({ pool: 'cka-basics' });
    expect(await stored(tenant._id)).toMatchObject({
      _id: tenant._id,
      labId: 'cka-basics',
      kubernetesVersion: '1.36',
      poolKey: 'cka-basics@1.36',
      namespace: `kubelabs-${tenant._id}`,
      state: 'provisioning',
      step: 'requested',
      provisioningDeadline: minutes(30),
      createdAt: t0,
      conditions: [],
    });
    await expect(
      store.create({ id: tenant._id, labId: 'other', kubernetesVersion: '1.36', provisioningDeadline: t0 }, t0),
    ).rejects.toThrow();
  });

  it('records each provisioning step once, and none after provisioning ended', async () => {
    const tenant = await provisioning();
    expect(await store.recordStep(tenant._id, 'namespace')).toBe(true);
    expect(await store.recordStep(tenant._id, 'namespace')).toBe(false);
    expect(await store.recordStep(tenant._id, 'booting')).toBe(true);
    expect((await stored(tenant._id))?.step).toBe('booting');
    await store.markReady(tenant._id, t0);
    expect(await store.recordStep(tenant._id, 'nodes-ready')).toBe(false);
    expect((await stored(tenant._id))?.step).toBe('booting');
    expect(await store.recordStep('t-absent', 'namespace')).toBe(false);
  });

  it('makes a provisioning tenant ready once, and never a failed one', async () => {
    const tenant = await provisioning();
    expect(await store.markReady(tenant._id, minutes(5))).toBe(true);
    expect(await store.markReady(tenant._id, minutes(6))).toBe(false);
    expect(await stored(tenant._id)).toMatchObject({ state: 'ready', readyAt: minutes(5) });

    const failed = await provisioning();
    expect(await store.markFailed(failed._id, 'vm.boot_failed')).toBe(true);
    expect(await store.markReady(failed._id, minutes(5))).toBe(false);
    expect(await stored(failed._id)).toMatchObject({ state: 'failed', failureReason: 'vm.boot_failed' });
  });

  it('fails a tenant once, and with onlyPastDeadline only when its deadline has passed', async () => {
    const tenant = await provisioning({ deadline: minutes(10) });
    expect(await store.markFailed(tenant._id, 'provision.timeout', { onlyPastDeadline: minutes(9) })).toBe(false);
    expect((await stored(tenant._id))?.state).toBe('provisioning');
    expect(await store.markFailed(tenant._id, 'provision.timeout', { onlyPastDeadline: minutes(10) })).toBe(true);
    expect(await store.markFailed(tenant._id, 'vm.boot_failed')).toBe(false);
    expect(await stored(tenant._id)).toMatchObject({ state: 'failed', failureReason: 'provision.timeout' });

    const readyTenant = await ready();
    expect(await store.markFailed(readyTenant._id, 'vm.boot_failed')).toBe(false);
    expect((await stored(readyTenant._id))?.state).toBe('ready');
  });

  it('takes the oldest ready tenant of a pool, and none when the pool has no ready tenant', async () => {
    const pool = `oldest-${randomUUID().slice(0, 6)}`;
    const newer = await ready({ pool, at: minutes(2) });
    const older = await ready({ pool, at: minutes(1) });
    await provisioning({ pool });

    const first = await store.takeReadyTenant(`${pool}@1.36`, 'c-1', minutes(3));
    const second = await store.takeReadyTenant(`${pool}@1.36`, 'c-2', minutes(3));
    const third = await store.takeReadyTenant(`${pool}@1.36`, 'c-3', minutes(3));

    expect(first).toMatchObject({ _id: older._id, state: 'claimed', claimId: 'c-1', claimedAt: minutes(3) });
    expect(second).toMatchObject({ _id: newer._id, claimId: 'c-2' });
    expect(third).toBeNull();
  });

  it('gives each of 3 ready tenants to exactly one of 30 concurrent claims', async () => {
    const pool = `race-${randomUUID().slice(0, 6)}`;
    const tenants = await Promise.all([1, 2, 3].map((n) => ready({ pool, at: minutes(n) })));

    const takes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.takeReadyTenant(`${pool}@1.36`, `c-${i}`, minutes(5))),
    );

    const winners = takes.filter((tenant) => tenant !== null);
    expect(winners.map((tenant) => tenant._id).toSorted()).toEqual(tenants.map((tenant) => tenant._id).toSorted());
    for (const winner of winners) expect((await stored(winner._id))?.claimId).toBe(winner.claimId);
  });

  it('takes a given tenant only while it is ready, and returns it only to the claim that took it', async () => {
    const tenant = await ready();
    expect(await store.takeTenant(tenant._id, 'c-a', minutes(1))).toMatchObject({ state: 'claimed', claimId: 'c-a' });
    expect(await store.takeTenant(tenant._id, 'c-b', minutes(1))).toBeNull();

    expect(await store.returnTenant(tenant._id, 'c-b')).toBe(false);
    expect(await store.returnTenant(tenant._id, 'c-a')).toBe(true);
    expect(await store.returnTenant(tenant._id, 'c-a')).toBe(false);
    const back = await stored(tenant._id);
    expect(back?.state).toBe('ready');
    expect(back).not.toHaveProperty('claimId');
    expect(back).not.toHaveProperty('claimedAt');
  });

  it('releases a live tenant once, deletes it only once it is releasing, and forgets its claim', async () => {
    const tenant = await ready();
    await store.takeTenant(tenant._id, 'c-r', minutes(1));
    expect(await store.markDeleted(tenant._id, minutes(2))).toBe(false);

    // Conditional on the claim that holds it: another claim's release changes nothing.
    expect(
      await store.markTenantReleasing(tenant._id, minutes(2), { reason: 'user', onlyClaimedBy: 'c-x' }),
    ).toBeNull();
    expect(
      await store.markTenantReleasing(tenant._id, minutes(2), { reason: 'user', claimId: 'c-r', onlyClaimedBy: 'c-r' }),
    ).toMatchObject({
      state: 'releasing',
      releasedAt: minutes(2),
      claimId: 'c-r',
      releaseReason: 'user',
      releaseClaimId: 'c-r',
    });
    expect(await store.markTenantReleasing(tenant._id, minutes(3), { reason: 'user' })).toBeNull();
    // The outbox: announced once.
    expect((await stored(tenant._id))?.releaseAnnouncedAt).toBeUndefined();
    await store.markReleaseAnnounced(tenant._id, minutes(3));
    await store.markReleaseAnnounced(tenant._id, minutes(4));
    expect((await stored(tenant._id))?.releaseAnnouncedAt).toEqual(minutes(3));
    expect(await store.takeTenant(tenant._id, 'c-s', minutes(3))).toBeNull();

    expect(await store.markDeleted(tenant._id, minutes(4))).toBe(true);
    expect(await store.markDeleted(tenant._id, minutes(5))).toBe(false);
    const deleted = await stored(tenant._id);
    expect(deleted).toMatchObject({ state: 'deleted', deletedAt: minutes(4) });
    expect(deleted).not.toHaveProperty('claimId');
    expect(await store.markTenantReleasing(tenant._id, minutes(6), { reason: 'user' })).toBeNull();
  });

  it('writes conditions, keeping a transition time while the status holds, and writes nothing unchanged', async () => {
    const tenant = await provisioning();
    const booting = { type: 'Ready', status: 'False' as const, reason: 'Booting', message: '1 of 2 VMs running' };

    expect(await store.writeConditions(tenant._id, [booting], minutes(1))).toBe(true);
    expect(await store.writeConditions(tenant._id, [booting], minutes(2))).toBe(false);
    expect(await store.writeConditions(tenant._id, [{ ...booting, message: '2 of 2 VMs running' }], minutes(3))).toBe(
      true,
    );
    expect((await stored(tenant._id))?.conditions).toEqual([
      { ...booting, message: '2 of 2 VMs running', lastTransitionTime: minutes(1) },
    ]);

    const readyCondition = { type: 'Ready', status: 'True' as const, reason: 'NodesReady', message: 'all Ready' };
    expect(await store.writeConditions(tenant._id, [readyCondition], minutes(4))).toBe(true);
    expect((await stored(tenant._id))?.conditions).toEqual([{ ...readyCondition, lastTransitionTime: minutes(4) }]);

    expect(await store.writeConditions('t-absent', [readyCondition], minutes(4))).toBe(false);
  });

  it('does not write conditions merged from a read that another writer changed since; it merges again', async () => {
    const tenant = await provisioning();
    const other = { type: 'Other', status: 'True' as const, reason: 'Spec', message: 'written in between' };
    const mine = { type: 'Ready', status: 'True' as const, reason: 'Spec', message: 'mine' };
    const collection = persistence.tenants.collection;
    const read = collection.findOne.bind(collection);
    let reads = 0;
    // Another writer lands between the store's first read and its write.
    collection.findOne = (async (...args: Parameters<typeof read>) => {
      const doc = await read(...args);
      if (++reads === 1)
        await persistence.tenants.updateOne(
          { _id: tenant._id },
          { $set: { conditions: [{ ...other, lastTransitionTime: minutes(1) }] } },
        );
      return doc;
    }) as typeof collection.findOne;
    try {
      expect(await store.writeConditions(tenant._id, [other, mine], minutes(2))).toBe(true);
    } finally {
      delete (collection as { findOne?: unknown }).findOne;
    }
    expect(reads).toBe(2);
    // Merged with what the other writer stored: its condition keeps the time it was written with.
    expect((await stored(tenant._id))?.conditions).toEqual([
      { ...other, lastTransitionTime: minutes(1) },
      { ...mine, lastTransitionTime: minutes(2) },
    ]);
  });

  it('lets concurrent condition writers each land on what the other wrote, never on a stale read', async () => {
    const tenant = await provisioning();
    // Each writer sets the whole list; the last to land wins. Three writers: each round of the race has a winner, so
    // the last one lands on its third attempt, the store's bound.
    const results = await Promise.all(
      ['A', 'B', 'C'].map((type) => store.writeConditions(tenant._id, [condition(type)], minutes(1))),
    );
    expect(results.every((written) => written)).toBe(true);
    const conditions = (await stored(tenant._id))?.conditions ?? [];
    expect(conditions).toHaveLength(1);
    expect(['A', 'B', 'C']).toContain(conditions[0]!.type);
  });
});
