// Crash safety of the claim path when the claim API or the pool manager is SIGKILLed mid-traffic: the claims repair
// (a reconciler on the controller kit) brings holds, idempotency records, claims and tenants back to a consistent
// state within one repair period, nothing leaks, nobody is locked out, and arrival order holds. Real lane servers.
import { describe, expect, inject, it } from 'vitest';
import { KubeClient } from '@kubelabs/kube';
import { findFreePort, waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, pools, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const sshPublicKey = studentKey('crash@laptop');
const repairEnv = { CLAIM_REPAIR_INTERVAL_MS: '1000', CLAIM_REPAIR_GRACE_MS: '1500' };
/** One repair period after the grace: what the repair promises, with room for a loaded CI machine. */
const repairWithinMs = 1_500 + 2 * 1_000 + 5_000;

const platforms = usePlatform();

const liveStates = new Set(['pending', 'active']);

/** The invariants the repair restores; returns what is still wrong (empty when consistent). */
async function inconsistencies(platform: RunningPlatform): Promise<string[]> {
  const db = platform.persistence;
  const [holds, records, claims, tenants] = await Promise.all([
    db.claimHolds.find().lean(),
    db.idempotencyRecords.find().lean(),
    db.claims.find().lean(),
    db.tenants.find({ state: { $ne: 'deleted' } }).lean(),
  ]);
  const claimById = new Map(claims.map((c) => [c._id, c]));
  const problems: string[] = [];
  for (const hold of holds) {
    const claim = claimById.get(hold.claimId);
    if (!claim || !liveStates.has(claim.state)) problems.push(`hold ${hold._id} → ${claim?.state ?? 'missing'} claim`);
  }
  for (const record of records)
    if (!claimById.has(record.claimId)) problems.push(`idempotency record ${record._id} → missing claim`);
  const holders = new Map<string, string>();
  for (const claim of claims) {
    if (claim.state !== 'active' || !claim.tenantId) continue;
    if (holders.has(claim.tenantId)) problems.push(`tenant ${claim.tenantId} in two claims`);
    holders.set(claim.tenantId, claim._id);
  }
  for (const tenant of tenants) {
    if (tenant.state !== 'claimed') continue;
    const claim = tenant.claimId ? claimById.get(tenant.claimId) : undefined;
    if (!claim || !liveStates.has(claim.state))
      problems.push(`tenant ${tenant._id} claimed by a ${claim?.state ?? 'missing'} claim`);
  }
  return problems;
}

async function liveNamespaces(platform: RunningPlatform): Promise<Set<string>> {
  const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'test' });
  const namespaces = await kube.list('v1', 'Namespace', { labelSelector: `kubelabs.io/platform=${platform.instance}` });
  return new Set(namespaces.map((n) => n.metadata!.name!));
}

const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

describe('claims when services are killed mid-traffic', () => {
  it(
    'leaves no hold, idempotency record or tenant behind when the claim API dies in a burst of claims',
    { timeout: 240_000 },
    async () => {
      const port = await findFreePort();
      const platform = await platforms.start({
        labs: [testLab('burst', { minReady: 10, maxTotal: 30 })],
        simulator: { bootMs: 200 },
        claimApiPort: port,
        serviceEnv: { 'claim-api': repairEnv },
      });
      await waitForPoolsFull(platform);

      const users = Array.from({ length: 60 }, (_, i) => `burst-${i}`);
      const keyOf = (user: string, i: number): Record<string, string> =>
        i % 2 === 0 ? { 'idempotency-key': `key-${user}` } : {};
      const answered = new Map<string, { status: number; claimId?: string }>();
      const burst = users.map((user, i) =>
        api(platform, 'POST', '/v1/claims', { labId: 'burst', userId: user, sshPublicKey }, keyOf(user, i))
          .then((res) => answered.set(user, { status: res.status, claimId: res.body.id as string | undefined }))
          .catch(() => undefined),
      );
      // 50-300 ms in, and not before a few answers are out (a loaded machine answers its first claims late), so the
      // kill lands between answered claims and claims half-written.
      const killAfterMs = between(50, 300);
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      await waitFor('a few answers', () => answered.size >= 3, { timeoutMs: 10_000, intervalMs: 5 });
      await platform.services.get('claim-api')!.stop('SIGKILL');
      const killedAtMs = Date.now() - started;
      await Promise.all(burst);
      console.log(`claim API killed ${killedAtMs} ms into the burst; ${answered.size}/60 requests answered`);
      await platform.restart('claim-api');

      const before = await inconsistencies(platform);
      console.log(`inconsistent right after the restart: ${before.length} (${before.slice(0, 5).join('; ')})`);
      await waitFor(
        'the repair to restore every invariant',
        async () => (await inconsistencies(platform)).length === 0,
        {
          timeoutMs: repairWithinMs,
          intervalMs: 200,
        },
      );

      // Every claim that was answered exists.
      for (const [user, { status, claimId }] of answered) {
        if (status !== 201 && status !== 202) continue;
        expect(await platform.persistence.claims.exists({ _id: claimId }), `${user}'s answered claim`).toBeTruthy();
      }
      // Every user can claim again (with the same Idempotency-Key where they sent one), or sees their live claim.
      for (const [i, user] of users.entries()) {
        const mine = await api<{ state: string }[]>(platform, 'GET', `/v1/claims?userId=${user}`);
        if (mine.body.some((c) => liveStates.has(c.state))) continue;
        const again = await api(
          platform,
          'POST',
          '/v1/claims',
          { labId: 'burst', userId: user, sshPublicKey },
          keyOf(user, i),
        );
        expect([201, 202], `${user} claims again: ${again.status} ${JSON.stringify(again.body)}`).toContain(
          again.status,
        );
      }
      expect(await inconsistencies(platform)).toEqual([]);
    },
  );

  it(
    "tears down every released claim's tenant and refills the pool when the claim API dies in a release storm",
    { timeout: 240_000 },
    async () => {
      const port = await findFreePort();
      const platform = await platforms.start({
        labs: [testLab('storm', { minReady: 12, maxTotal: 24 })],
        simulator: { bootMs: 200 },
        claimApiPort: port,
        serviceEnv: { 'claim-api': repairEnv },
      });
      await waitForPoolsFull(platform, 90_000);
      const claims: { id: string; tenantId: string }[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await api(platform, 'POST', '/v1/claims', { labId: 'storm', userId: `storm-${i}`, sshPublicKey });
        expect(res.status).toBe(201);
        claims.push({ id: String(res.body.id), tenantId: String(res.body.tenantId) });
      }
      const storm = claims.map((c) => api(platform, 'DELETE', `/v1/claims/${c.id}`).catch(() => undefined));
      const killAfterMs = between(5, 60);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      await platform.services.get('claim-api')!.stop('SIGKILL');
      await Promise.all(storm);
      await platform.restart('claim-api');

      const released = (
        await platform.persistence.claims.find({ _id: { $in: claims.map((c) => c.id) }, state: 'released' }).lean()
      ).map((c) => c._id);
      console.log(`claim API killed ${killAfterMs} ms into the storm; ${released.length}/12 claims released`);
      await waitFor(
        'the repair to restore every invariant',
        async () => (await inconsistencies(platform)).length === 0,
        {
          timeoutMs: repairWithinMs,
          intervalMs: 200,
        },
      );
      // Every released claim's tenant is torn down: its namespace is gone from the API server.
      const namespaces = released.map((id) => `kubelabs-${claims.find((c) => c.id === id)!.tenantId}`);
      await waitFor(
        'released tenants gone',
        async () => {
          const live = await liveNamespaces(platform);
          return namespaces.every((n) => !live.has(n));
        },
        { timeoutMs: 60_000 },
      );
      // Release what the storm did not reach; then the pool is back to its reserve.
      for (const claim of claims)
        if (!released.includes(claim.id)) await api(platform, 'DELETE', `/v1/claims/${claim.id}`);
      await waitFor(
        'the pool refilled',
        async () => (await pools(platform))[0]?.ready === 12 && (await pools(platform))[0]?.claimed === 0,
        {
          timeoutMs: 90_000,
        },
      );
    },
  );

  it(
    'serves waiting claims in arrival order when the pool manager dies while handing tenants out',
    { timeout: 240_000 },
    async () => {
      const platform = await platforms.start({
        labs: [testLab('order', { minReady: 0, maxTotal: 6 })],
        simulator: { bootMs: 1_500 },
        serviceEnv: { 'claim-api': repairEnv },
      });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await api(platform, 'POST', '/v1/claims', { labId: 'order', userId: `order-${i}`, sshPublicKey });
        expect(res.status).toBe(202);
        ids.push(String(res.body.id));
      }
      await waitFor(
        'the first tenant ready',
        async () =>
          (await platform.persistence.tenants.exists({ labId: 'order', state: { $in: ['ready', 'claimed'] } })) !==
          null,
        {
          timeoutMs: 60_000,
          intervalMs: 20,
        },
      );
      await platform.services.get('pool-manager')!.stop('SIGKILL');
      await platform.restart('pool-manager');
      await waitFor(
        'every waiting claim served',
        async () => (await platform.persistence.claims.countDocuments({ _id: { $in: ids }, state: 'active' })) === 6,
        { timeoutMs: 90_000 },
      );
      const served = await platform.persistence.claims
        .find({ _id: { $in: ids } })
        .sort({ seq: 1 })
        .lean();
      expect(served.map((c) => c._id)).toEqual(ids);
      const activated = served.map((c) => c.activatedAt!.getTime());
      // No waiting claim was passed by a later one: activation times follow arrival order.
      for (let i = 1; i < activated.length; i++) expect(activated[i]).toBeGreaterThanOrEqual(activated[i - 1]!);
      expect(await inconsistencies(platform)).toEqual([]);
    },
  );
});
