// The rest of a claim's life against the lane's real servers: claims over NATS request/reply, expiry with its notice,
// and warm pools that stay within the host's capacity and say so when it is short.
import { describe, expect, inject, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { KubeClient } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import {
  api,
  pools,
  storedEvents,
  studentKey,
  testLab,
  usePlatform,
  waitForPoolsFull,
} from './support/platform-client';

const sshPublicKey = studentKey('grace@laptop');

const platforms = usePlatform();
let platform: RunningPlatform | undefined;

describe('claim lifecycle', () => {
  it('claims, reads and releases over NATS request/reply, with contract-shaped replies and errors', async () => {
    platform = await platforms.start({
      labs: [testLab('delta', { minReady: 1, maxTotal: 2 })],
      simulator: { bootMs: 200 },
    });
    await waitForPoolsFull(platform);
    const nc = await connect({ servers: platform.env.NATS_URL });
    const request = async (command: string, body: unknown) =>
      (await nc.request(`${platform!.instance}.${command}`, JSON.stringify(body), { timeout: 5000 })).json<
        Record<string, unknown>
      >();
    try {
      const created = await request('cmd.claim.create', { labId: 'delta', userId: 'slack:U123', sshPublicKey });
      expect(created).toMatchObject({ state: 'active', labId: 'delta', userId: 'slack:U123' });
      expect(created).not.toHaveProperty('sshPrivateKey');
      const got = await request('cmd.claim.get', { claimId: created.id });
      expect(got).toMatchObject({ id: created.id, state: 'active' });
      expect(await request('cmd.claim.create', { labId: 'delta', userId: 'slack:U123', sshPublicKey })).toMatchObject({
        error: { code: 'claim.user_limit_reached', status: 409 },
      });
      expect(await request('cmd.claim.create', { labId: 'nope', userId: 'slack:U9', sshPublicKey })).toMatchObject({
        error: { code: 'lab.not_found', status: 404 },
      });
      expect(await request('cmd.claim.release', { claimId: created.id, userId: 'slack:someone-else' })).toMatchObject({
        error: { code: 'claim.not_found' },
      });
      expect(await request('cmd.claim.release', { claimId: created.id, userId: 'slack:U123' })).toMatchObject({
        id: created.id,
        state: 'released',
      });
      const invalid = await request('cmd.claim.create', { labId: 'delta' });
      expect(invalid).toHaveProperty('error');
    } finally {
      await nc.close();
    }
  });

  it('warns before a claim expires, then releases it (reason expired) and destroys its tenant', async () => {
    // A 6-second session with a one-minute notice: the notice is due at once, the expiry soon after.
    platform = await platforms.start({
      labs: [testLab('epsilon', { minReady: 1, maxTotal: 2, durationMinutes: 0.1 })],
      simulator: { bootMs: 200 },
      serviceEnv: { 'pool-manager': { EXPIRING_NOTICE_MINUTES: '1', RESYNC_INTERVAL_MS: '500' } },
    });
    await waitForPoolsFull(platform);
    const claim = await api(platform, 'POST', '/v1/claims', { labId: 'epsilon', userId: 'bob', sshPublicKey });
    expect(claim.status).toBe(201);
    await waitFor(
      'tenant.expiring',
      async () => (await storedEvents(platform!, 'tenant.expiring')).some((e) => e.data.claimId === claim.body.id),
      { timeoutMs: 20_000 },
    );
    await waitFor(
      'the claim to expire',
      async () => (await api(platform!, 'GET', `/v1/claims/${String(claim.body.id)}`)).body.state === 'expired',
      { timeoutMs: 30_000 },
    );
    const released = (await storedEvents(platform, 'tenant.released')).find((e) => e.data.claimId === claim.body.id);
    expect(released?.data.reason).toBe('expired');
    expect(
      (await storedEvents(platform, 'tenant.expiring')).filter((e) => e.data.claimId === claim.body.id),
    ).toHaveLength(1);
    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'test' });
    await waitFor(
      'the expired tenant namespace to be gone',
      async () =>
        (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: `kubelabs-${String(claim.body.tenantId)}` })) ===
        undefined,
      {
        timeoutMs: 60_000,
      },
    );
    // The user may claim again once the old claim has ended.
    expect(
      (await api(platform, 'POST', '/v1/claims', { labId: 'epsilon', userId: 'bob', sshPublicKey })).status,
    ).toBeLessThan(300);
  });

  it('fills the pool with waiting claims first when host capacity is short, and reports the shortfall', async () => {
    // One host of 8 vCPUs: about three 2-vCPU tenants fit, while the two pools want five.
    platform = await platforms.start({
      labs: [testLab('big', { minReady: 3, maxTotal: 5 }), testLab('small', { minReady: 2, maxTotal: 4 })],
      simulator: { bootMs: 200, hostNodes: 1, hostCpu: 8, hostMemoryGi: 64 },
    });
    await waitFor(
      'a capacity shortfall to be reported',
      async () =>
        (await pools(platform!)).some((p) => (p as unknown as { capacityShortfall: number }).capacityShortfall > 0),
      {
        timeoutMs: 30_000,
      },
    );
    const rows = await pools(platform);
    const live = rows.reduce((sum, p) => sum + p.ready + p.provisioning + p.claimed, 0);
    expect(live).toBeLessThanOrEqual(3);
    await waitFor(
      'pool.capacity.short on JetStream',
      async () => (await storedEvents(platform!, 'pool.capacity.short')).length > 0,
    );
    const metrics = await (await fetch(`${platform.services.get('pool-manager')!.url}/metrics`)).text();
    expect(metrics).toMatch(/kubelabs_pool_capacity_shortfall\{pool="(big|small)@1\.36"\} [1-9]/);

    // A waiting claim on the starved pool is served before any reserve is refilled.
    const waiting = await api(platform, 'POST', '/v1/claims', {
      labId: 'small',
      userId: 'carol',
      sshPublicKey,
      kubernetesVersion: '1.36',
    });
    if (waiting.status === 202) {
      const others = (await pools(platform)).filter((p) => p.ready > 0 && p.labId === 'big');
      for (const pool of others) {
        const taken = await api(platform, 'POST', '/v1/claims', {
          labId: 'big',
          userId: `taker-${pool.ready}`,
          sshPublicKey,
        });
        await api(platform, 'DELETE', `/v1/claims/${String(taken.body.id)}`);
      }
    }
    await waitFor(
      'the claim on the starved pool to be served',
      async () => (await api(platform!, 'GET', `/v1/claims/${String(waiting.body.id)}`)).body.state === 'active',
      {
        timeoutMs: 60_000,
      },
    );
  });

  it('manages the catalog over HTTP (admin scope): a new lab fills its pool, a bad one is refused with every error, a removed one is retired', async () => {
    platform = await platforms.start({
      labs: [testLab('zeta', { minReady: 1, maxTotal: 2 })],
      simulator: { bootMs: 200 },
    });
    const lab = { ...testLab('eta', { minReady: 1, maxTotal: 2 }) } as Record<string, unknown>;
    const put = await api(platform, 'PUT', '/v1/labs/eta', lab);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'eta', versions: [{ kubernetesVersion: '1.36', ready: 0 }] });
    await waitFor(
      'the new lab to have a ready tenant',
      async () => (await pools(platform!)).some((p) => p.labId === 'eta' && p.ready === 1),
      { timeoutMs: 30_000 },
    );

    const bad = await api(platform, 'PUT', '/v1/labs/theta', {
      ...lab,
      id: 'theta',
      level: 'expert',
      pool: { minReady: 3, maxTotal: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect(String(bad.body.detail)).toMatch(/\/level/);
    expect(String(bad.body.detail)).toMatch(/\/pool\/maxTotal/);

    const claimKey = await api(platform, 'POST', '/v1/api-keys', { name: 'integration', scopes: ['claim'] });
    const asClaimKey = { claimApiUrl: platform.claimApiUrl, apiKey: String(claimKey.body.key) };
    expect((await api(asClaimKey, 'PUT', '/v1/labs/eta', lab)).status).toBe(403);

    expect((await api(platform, 'DELETE', '/v1/labs/eta')).status).toBe(204);
    expect((await api(platform, 'GET', '/v1/labs/eta')).status).toBe(404);
    expect((await api(platform, 'DELETE', '/v1/labs/eta')).status).toBe(404);
    await waitFor(
      "the removed lab's idle tenant to be retired",
      async () =>
        (await platform!.persistence.tenants.countDocuments({
          labId: 'eta',
          state: { $in: ['ready', 'provisioning'] },
        })) === 0,
      {
        timeoutMs: 30_000,
      },
    );
  });

  it('fails a tenant whose VMs do not boot, says why, and cleans it up', async () => {
    platform = await platforms.start({
      labs: [testLab('iota', { minReady: 1, maxTotal: 1 })],
      simulator: { bootMs: 200, failRatio: 1 },
    });
    await waitFor('tenant.failed', async () => (await storedEvents(platform!, 'tenant.failed')).length > 0, {
      timeoutMs: 30_000,
    });
    const failed = (await storedEvents(platform, 'tenant.failed'))[0]!;
    expect(failed.data).toMatchObject({ labId: 'iota', reason: 'vm.boot_failed' });
    expect(String(failed.data.message)).toMatch(/CrashLoopBackOff/);
    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'test' });
    await waitFor(
      'the failed tenant to be deleted with its namespace',
      async () => {
        const tenant = await platform!.persistence.tenants.findById(failed.data.tenantId).lean();
        const namespace = await kube.get({
          apiVersion: 'v1',
          kind: 'Namespace',
          name: `kubelabs-${String(failed.data.tenantId)}`,
        });
        return tenant?.state === 'deleted' && namespace === undefined;
      },
      { timeoutMs: 60_000 },
    );
    // Failing again and again, the pool stops churning: one probe tenant at a time, and it says so.
    await waitFor(
      'the pool to be throttled',
      async () => (await pools(platform!))[0]?.message?.includes('failed recently') === true,
      { timeoutMs: 90_000 },
    );
    expect((await pools(platform))[0]!.provisioning).toBeLessThanOrEqual(1);
  });
});
