// The webhook store's writes on the MongoDB lane: an event recorded twice is one delivery, a lease is taken by one
// dispatcher only, an attempt is recorded only under the lease that made it, and dead letters go back on redelivery.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Persistence } from './persistence';
import { WebhookStore } from './webhook-store';

const t0 = new Date('2026-12-07T10:00:00.000Z');
const seconds = (n: number) => new Date(t0.getTime() + n * 1_000);
const event = (id: string) => ({ id, type: 'tenant.claimed', body: `{"id":"${id}"}` });

describe('WebhookStore on the MongoDB lane', () => {
  let persistence: Persistence;
  let store: WebhookStore;

  beforeAll(async () => {
    const url = new URL(inject('lanes').mongoUrl);
    url.pathname = `/test_${randomUUID().slice(0, 8)}`;
    persistence = await Persistence.connect(url.toString());
    store = new WebhookStore(persistence);
  });

  afterAll(async () => {
    await persistence?.connection.dropDatabase();
    await persistence?.close();
  });

  it('records an event once per subscription, however often it is recorded', async () => {
    await store.recordDeliveries(['wh-a', 'wh-b'], event('e1'), t0);
    await store.recordDeliveries(['wh-a'], event('e1'), seconds(5));
    expect(await persistence.webhookDeliveries.countDocuments({ eventId: 'e1' })).toBe(2);
    expect(await store.dueDeliveries(t0, 10)).toEqual(expect.arrayContaining(['wh-a:e1', 'wh-b:e1']));
  });

  it('gives a due delivery to one lease holder, and records an attempt only under that lease', async () => {
    await store.recordDeliveries(['wh-c'], event('e2'), t0);
    const lease = seconds(30);
    const first = await store.leaseDelivery('wh-c:e2', t0, lease);
    expect(first?.attempts).toBe(0);
    expect(await store.leaseDelivery('wh-c:e2', seconds(1), seconds(31))).toBeNull();
    expect(await store.recordAttempt('wh-c:e2', seconds(31), { outcome: 'delivered', at: seconds(2) })).toBe(false);
    expect(
      await store.recordAttempt('wh-c:e2', lease, {
        outcome: 'retry',
        at: seconds(2),
        nextAttemptAt: seconds(4),
        status: 500,
      }),
    ).toBe(true);
    expect(await store.dueDeliveries(seconds(3), 10)).not.toContain('wh-c:e2');
    expect(await store.dueDeliveries(seconds(4), 10)).toContain('wh-c:e2');
    const again = await store.leaseDelivery('wh-c:e2', seconds(4), seconds(40));
    expect(again).toMatchObject({ attempts: 1, lastStatus: 500 });
    expect(
      await store.recordAttempt('wh-c:e2', seconds(40), { outcome: 'delivered', at: seconds(5), status: 204 }),
    ).toBe(true);
    expect(await store.findDelivery('wh-c:e2')).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204 });
    // Delivered is final: recording the event again changes nothing.
    await store.recordDeliveries(['wh-c'], event('e2'), seconds(6));
    expect(await store.findDelivery('wh-c:e2')).toMatchObject({ state: 'delivered' });
  });

  it('lists dead letters and puts them back to pending with a fresh attempt budget', async () => {
    await store.recordDeliveries(['wh-d'], event('e3'), t0);
    await store.leaseDelivery('wh-d:e3', t0, seconds(30));
    await store.recordAttempt('wh-d:e3', seconds(30), { outcome: 'dead', at: seconds(1), error: 'gone', status: 500 });
    expect((await store.deadLetters('wh-d', 10)).map((d) => d._id)).toEqual(['wh-d:e3']);
    expect(await store.redeliver('wh-d', seconds(2))).toBe(1);
    expect(await store.deadLetters('wh-d', 10)).toEqual([]);
    expect(await store.findDelivery('wh-d:e3')).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('deletes a subscription with its deliveries', async () => {
    await store.createSubscription({
      _id: 'wh-e',
      sealedUrl: 'v1.a.b.c',
      host: 'example.org',
      eventTypes: ['tenant.claimed'],
      sealedSecret: 'v1.x.y.z',
      secretPrefix: 'whsec_ab',
      createdAt: t0,
    });
    // Re-sealing after a key rotation writes only over the values it opened, never over a newer write.
    expect(
      await store.resealSubscription(
        'wh-e',
        { sealedSecret: 'v1.old', sealedUrl: 'v1.a.b.c' },
        { sealedSecret: 'v1.new', sealedUrl: 'v1.n.e.w' },
      ),
    ).toBe(false);
    expect(
      await store.resealSubscription(
        'wh-e',
        { sealedSecret: 'v1.x.y.z', sealedUrl: 'v1.a.b.c' },
        { sealedSecret: 'v1.new', sealedUrl: 'v1.n.e.w' },
      ),
    ).toBe(true);
    expect(await store.findSubscription('wh-e')).toMatchObject({ sealedSecret: 'v1.new', sealedUrl: 'v1.n.e.w' });
    await store.recordDeliveries(['wh-e'], event('e4'), t0);
    expect((await store.subscriptionsFor('tenant.claimed')).map((s) => s._id)).toContain('wh-e');
    expect(await store.deleteSubscription('wh-e')).toBe(true);
    expect(await store.findDelivery('wh-e:e4')).toBeNull();
    expect(await store.deleteSubscription('wh-e')).toBe(false);
  });
});
