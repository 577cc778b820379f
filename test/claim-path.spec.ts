// The claim path end to end, against the lane's real NATS, MongoDB-wire server and kube-apiserver, with the
// KubeVirt/tenant-cluster simulator playing the VMs: pools fill, claims are served 201 or queued 202 in arrival
// order, releases destroy tenants (really gone from the API server) and pools refill.
import { utils as sshUtils } from 'ssh2';
import { describe, expect, inject, it } from 'vitest';
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

const sshPublicKey = studentKey('ada@laptop');

const platforms = usePlatform();
let platform: RunningPlatform | undefined;

describe('the claim path', () => {
  it('fills pools, serves a claim 201 with access, and on release deletes the namespace and refills the pool', async () => {
    platform = await platforms.start({
      labs: [testLab('alpha', { minReady: 2, maxTotal: 4 }), testLab('beta', { minReady: 1, maxTotal: 2, workers: 1 })],
      simulator: { bootMs: 300 },
    });
    await waitForPoolsFull(platform);
    expect((await pools(platform)).map((p) => [p.labId, p.ready])).toEqual([
      ['alpha', 2],
      ['beta', 1],
    ]);

    const claim = await api(platform, 'POST', '/v1/claims', { labId: 'alpha', userId: 'ada', sshPublicKey });
    expect(claim.status).toBe(201);
    expect(claim.body).toMatchObject({ state: 'active', labId: 'alpha', userId: 'ada', kubernetesVersion: '1.36' });
    // The exposure opens after the claim: the 201 says so, the claim view turns 'open' once the enforcer has opened it.
    expect(claim.body.access).toEqual({
      state: 'opening',
      kubeconfig: { path: `/v1/claims/${String(claim.body.id)}/kubeconfig` },
    });
    const tenantId = String(claim.body.tenantId);

    await waitFor('tenant.claimed on JetStream', async () =>
      (await storedEvents(platform!, 'tenant.claimed')).some((e) => e.data.claimId === claim.body.id),
    );
    let access: { state: string; ssh?: { host: string; port: number; user: string; command: string } } = {
      state: 'opening',
    };
    await waitFor('the access to open', async () => {
      access = (await api(platform!, 'GET', `/v1/claims/${String(claim.body.id)}`)).body.access as typeof access;
      return access.state === 'open';
    });
    expect(access.ssh).toMatchObject({ host: 'localhost', user: 'student' });
    expect(access.ssh!.command).toBe(`ssh -p ${access.ssh!.port} student@localhost`);
    const kubeconfig = await fetch(`${platform.claimApiUrl}/v1/claims/${String(claim.body.id)}/kubeconfig`, {
      headers: { authorization: `Bearer ${platform.apiKey}` },
    });
    expect(kubeconfig.status).toBe(200);
    expect(await kubeconfig.text()).toMatch(/client-certificate-data: /);

    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'test' });
    const namespace = `kubelabs-${tenantId}`;
    expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })).toBeDefined();
    await waitFor('the student key in the tenant', async () => {
      const secret = await kube.get<{ metadata: object; data?: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace,
        name: 'ssh-authorized-keys',
      });
      return Buffer.from(secret?.data?.key ?? '', 'base64')
        .toString()
        .includes('ada@laptop');
    });

    const released = await api(platform, 'DELETE', `/v1/claims/${String(claim.body.id)}`);
    expect(released.status).toBe(200);
    expect(released.body.state).toBe('released');
    await waitFor(
      'the tenant namespace to be gone from the API server',
      async () => (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) === undefined,
      {
        timeoutMs: 60_000,
      },
    );
    await waitFor(
      'tenant.deleted on JetStream',
      async () => (await storedEvents(platform!, 'tenant.deleted')).some((e) => e.data.tenantId === tenantId),
      { timeoutMs: 30_000 },
    );
    await waitForPoolsFull(platform);
    const tenant = await platform.persistence.tenants.findById(tenantId).lean();
    expect(tenant?.state).toBe('deleted');
  });

  it('answers 202 on an empty pool and activates waiting claims in arrival order, as the SSE stream shows', async () => {
    platform = await platforms.start({
      labs: [testLab('gamma', { minReady: 0, maxTotal: 3 })],
      simulator: { bootMs: 1500 },
    });
    // Without a public key: the generated private key comes with the 202, matching the public key stored with the
    // claim (installed once a tenant is handed over); it is never shown again.
    const first = await api(platform, 'POST', '/v1/claims', { labId: 'gamma', userId: 'u1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ state: 'pending', queuePosition: 1 });
    const privateKey = sshUtils.parseKey(String(first.body.sshPrivateKey));
    if (privateKey instanceof Error) throw privateKey;
    const stored = await platform.persistence.claims.findById(String(first.body.id)).lean();
    expect(stored?.sshPublicKey?.split(' ').slice(0, 2).join(' ')).toBe(
      `${privateKey.type} ${privateKey.getPublicSSH().toString('base64')}`,
    );
    expect((await api(platform, 'GET', `/v1/claims/${String(first.body.id)}`)).body).not.toHaveProperty(
      'sshPrivateKey',
    );

    const seen: string[] = [];
    const controller = new AbortController();
    const sse = fetch(`${platform.claimApiUrl}/v1/claims/${String(first.body.id)}/events`, {
      headers: { authorization: `Bearer ${platform.apiKey}` },
      signal: controller.signal,
    })
      .then(async (res) => {
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const line of decoder.decode(chunk).split('\n'))
            if (line.startsWith('event: ')) seen.push(line.slice(7));
        }
      })
      .catch(() => undefined);

    const second = await api(platform, 'POST', '/v1/claims', { labId: 'gamma', userId: 'u2', sshPublicKey });
    const third = await api(platform, 'POST', '/v1/claims', { labId: 'gamma', userId: 'u3', sshPublicKey });
    expect([second.status, third.status]).toEqual([202, 202]);
    expect(third.body.queuePosition).toBe(3);

    const ids = [first, second, third].map((c) => String(c.body.id));
    await waitFor(
      'all three claims active',
      async () => (await platform!.persistence.claims.countDocuments({ _id: { $in: ids }, state: 'active' })) === 3,
      { timeoutMs: 60_000 },
    );
    await waitFor('the SSE stream to show activation', () => seen.includes('tenant.claimed'), { timeoutMs: 10_000 });
    controller.abort();
    await sse;
    expect(seen[0]).toBe('claim.pending');
    expect(seen).toContain('tenant.provisioning');
    expect(seen.indexOf('tenant.provisioning')).toBeLessThan(seen.indexOf('tenant.claimed'));

    const claims = await platform.persistence.claims
      .find({ _id: { $in: ids } })
      .sort({ seq: 1 })
      .lean();
    const activations = claims.map((c) => c.activatedAt!.getTime());
    expect(activations).toEqual([...activations].sort((a, b) => a - b));
    expect(new Set(claims.map((c) => c.tenantId)).size).toBe(3);
  });
});
