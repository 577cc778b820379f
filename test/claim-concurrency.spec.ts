// Concurrency and crash safety of the claim path: 500 concurrent claims against 50 ready tenants, and services
// killed mid-provisioning, against the lane's real servers.
import { describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { KubeClient } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, pools, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const sshPublicKey = studentKey('student@laptop');

const platforms = usePlatform();
let platform: RunningPlatform | undefined;

async function liveNamespaces(platform: RunningPlatform): Promise<string[]> {
  const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'test' });
  const namespaces = await kube.list('v1', 'Namespace', { labelSelector: `kubelabs.io/platform=${platform.instance}` });
  return namespaces
    .filter((n) => !n.metadata?.deletionTimestamp)
    .map((n) => n.metadata!.name!)
    .sort();
}

describe('claims under concurrency and crashes', () => {
  it(
    'gives each ready tenant to at most one claim under 500 concurrent claims, then serves them all as the pool refills',
    { timeout: 600_000 },
    async () => {
      // maxTotal = the ready tenants: no refill can turn ready during the burst, so exactly 50 claims can be served at once.
      const maxTotal = 50;
      platform = await platforms.start({
        labs: [testLab('rush', { minReady: 50, maxTotal })],
        simulator: { bootMs: 100, hostNodes: 8 },
        env: { LOG_LEVEL: 'warn', RESYNC_INTERVAL_MS: '1000' },
      });
      await waitForPoolsFull(platform, 180_000);

      const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
      const responses = await Promise.all(
        users.map((userId) => api(platform!, 'POST', '/v1/claims', { labId: 'rush', userId, sshPublicKey })),
      );
      const statuses = responses.map((r) => r.status);
      expect(responses.filter((r) => r.status !== 201 && r.status !== 202).map((r) => r.body)).toEqual([]);
      expect(statuses.filter((s) => s === 201)).toHaveLength(50);
      expect(statuses.filter((s) => s === 202)).toHaveLength(450);
      const active = responses.filter((r) => r.status === 201);
      expect(new Set(active.map((r) => r.body.tenantId)).size).toBe(50);
      const claimIds = responses.map((r) => String(r.body.id));
      expect(new Set(claimIds).size).toBe(500);

      // A second claim for a user who holds one is refused.
      expect(
        (await api(platform, 'POST', '/v1/claims', { labId: 'rush', userId: 'user-7', sshPublicKey })).status,
      ).toBe(409);

      // Serve everyone: release whatever is active, round after round, while the pool refills within its maximum.
      const served = new Set<string>();
      let maxLive = 0;
      await waitFor(
        'all 500 claims served',
        async () => {
          const live = await platform!.persistence.tenants.countDocuments({
            state: { $in: ['provisioning', 'ready', 'claimed'] },
          });
          maxLive = Math.max(maxLive, live);
          const nowActive = await platform!.persistence.claims
            .find({ _id: { $in: claimIds }, state: 'active' }, { _id: 1, tenantId: 1 })
            .lean();
          for (const claim of nowActive) served.add(claim._id);
          await Promise.all(nowActive.map((claim) => api(platform!, 'DELETE', `/v1/claims/${claim._id}`)));
          const ended = await platform!.persistence.claims.countDocuments({
            _id: { $in: claimIds },
            state: 'released',
          });
          return ended === 500;
        },
        { timeoutMs: 540_000, intervalMs: 1000 },
      );
      expect(served.size).toBe(500);
      expect(maxLive).toBeLessThanOrEqual(maxTotal);
      const tenantsOfClaims = await platform.persistence.claims.distinct('tenantId', { _id: { $in: claimIds } });
      expect(tenantsOfClaims).toHaveLength(500);
    },
  );

  it(
    'converges with no leaked namespace and no lost claim when the pool manager and provisioner are killed mid-provisioning',
    { timeout: 240_000 },
    async () => {
      platform = await platforms.start({
        labs: [testLab('crash', { minReady: 3, maxTotal: 6, workers: 1 })],
        simulator: { bootMs: 2000 },
      });
      // Tenants are being provisioned now; queue a claim, then kill both controllers without warning.
      const claim = await api(platform, 'POST', '/v1/claims', { labId: 'crash', userId: 'survivor', sshPublicKey });
      expect([201, 202]).toContain(claim.status);
      await platform.services.get('provisioner')!.stop('SIGKILL');
      await platform.services.get('pool-manager')!.stop('SIGKILL');
      await platform.restart('provisioner');
      await platform.restart('pool-manager');

      await waitFor(
        'the claim to be active',
        async () => (await platform!.persistence.claims.findById(claim.body.id).lean())?.state === 'active',
        { timeoutMs: 90_000 },
      );
      await waitForPoolsFull(platform, 90_000);

      // A duplicated event changes nothing: re-deliver a provision request and a release for existing tenants.
      const before = await platform.persistence.tenants.find().sort({ _id: 1 }).lean();
      const ready = before.find((t) => t.state === 'ready')!;
      const nc = await connect({ servers: platform.env.NATS_URL });
      const js = jetstream(nc);
      const envelope = (type: string, data: object) =>
        JSON.stringify({
          specversion: '1.0',
          id: randomUUID(),
          source: '/test',
          type,
          subject: ready._id,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          data,
        });
      await js.publish(
        `${platform.instance}.tenant.provision.requested`,
        envelope('tenant.provision.requested', {
          tenantId: ready._id,
          labId: 'crash',
          kubernetesVersion: '1.36',
          namespace: ready.namespace,
          requestedAt: new Date().toISOString(),
          deadline: new Date(Date.now() + 60_000).toISOString(),
        }),
      );
      await js.publish(
        `${platform.instance}.tenant.ready`,
        envelope('tenant.ready', {
          tenantId: ready._id,
          labId: 'crash',
          kubernetesVersion: '1.36',
          namespace: ready.namespace,
          readyAt: new Date().toISOString(),
        }),
      );
      await nc.close();
      await waitFor('the duplicates to be consumed', async () => {
        const metrics = await (await fetch(`${platform!.services.get('provisioner')!.url}/metrics`)).text();
        return /kubelabs_event_deliveries_total\{type="tenant.provision.requested",outcome="acked"\} [1-9]/.test(
          metrics,
        );
      });
      const after = await platform.persistence.tenants.find().sort({ _id: 1 }).lean();
      expect(after.map((t) => [t._id, t.state])).toEqual(before.map((t) => [t._id, t.state]));

      // No leaked namespace: every namespace of this platform belongs to a live tenant, and vice versa.
      await waitFor(
        'namespaces to match live tenants',
        async () => {
          const live = (
            await platform!.persistence.tenants.find({ state: { $nin: ['deleted'] } }, { namespace: 1 }).lean()
          )
            .map((t) => t.namespace)
            .sort();
          return JSON.stringify(await liveNamespaces(platform!)) === JSON.stringify(live);
        },
        { timeoutMs: 60_000 },
      );
      const rows = await pools(platform);
      expect(rows[0]).toMatchObject({ ready: 3, claimed: 1, pending: 0 });
    },
  );
});
