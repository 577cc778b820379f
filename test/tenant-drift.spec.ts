// Drift: the provisioner applies a live tenant's desired objects on every resync, so an object deleted or edited by
// hand on a ready or claimed tenant comes back within one resync period. Against the lane's real kube-apiserver.
import { describe, expect, inject, it } from 'vitest';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const resyncMs = 3_000;
// The next resync pass re-applies: at most one period, plus the pass itself, which takes seconds on a loaded 2-core CI
// machine (the figure is printed).
const restoreWithinMs = 2 * resyncMs;
const platforms = usePlatform();

type SecretObject = KubeObject & { data?: Record<string, string> };

describe('tenant drift', () => {
  it('restores a Service and a Secret deleted by hand, and undoes a hand edit, within one resync', async () => {
    const platform: RunningPlatform = await platforms.start({
      labs: [testLab('drift', { minReady: 1, maxTotal: 1 })],
      simulator: { bootMs: 200 },
      env: { RESYNC_INTERVAL_MS: String(resyncMs) },
      serviceEnv: { provisioner: { TENANT_REAPPLY_INTERVAL_MS: String(resyncMs) } },
    });
    await waitForPoolsFull(platform);
    const tenant = await platform.persistence.tenants.findOne({ labId: 'drift', state: 'ready' }).lean().exec();
    expect(tenant).toBeTruthy();
    const namespace = tenant!.namespace;
    // The provisioner wrote the tenant's conditions as it observed them.
    expect(tenant!.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });

    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubectl-edit' });
    const service = { apiVersion: 'v1', kind: 'Service', namespace, name: 'ssh' };
    const secret = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'tenant-kubeconfig' };
    const original = await kube.get<SecretObject>(secret);
    expect(original?.data?.kubeconfig).toBeTruthy();

    // Ready tenant: delete both by hand.
    expect(await kube.delete(service)).toBe(true);
    expect(await kube.delete(secret)).toBe(true);
    const deletedAt = Date.now();
    await waitFor(
      'the Service and the Secret back',
      async () => (await kube.get(service)) !== undefined && (await kube.get(secret)) !== undefined,
      { timeoutMs: restoreWithinMs, intervalMs: 100 },
    );
    const restoredAfterMs = Date.now() - deletedAt;
    console.log(
      `ready tenant: deleted Service and Secret restored after ${restoredAfterMs} ms (resync ${resyncMs} ms)`,
    );
    expect((await kube.get<SecretObject>(secret))?.data?.kubeconfig).toBe(original?.data?.kubeconfig);

    // Claimed tenant: the student's key Secret, edited by someone else, is put back as the claim says.
    const key = studentKey('drift@laptop');
    const claim = await api(platform, 'POST', '/v1/claims', { labId: 'drift', userId: 'drift', sshPublicKey: key });
    expect(claim.status).toBe(201);
    const keysRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'ssh-authorized-keys' };
    const keyOf = async () =>
      Buffer.from((await kube.get<SecretObject>(keysRef))?.data?.key ?? '', 'base64').toString();
    await waitFor('the student key in place', async () => (await keyOf()) === `${key}\n`);
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ssh-authorized-keys', namespace },
      data: { key: Buffer.from('ssh-ed25519 AAAA intruder\n').toString('base64') },
    } as KubeObject);
    expect(await keyOf()).toContain('intruder');
    await waitFor('the student key restored', async () => (await keyOf()) === `${key}\n`, {
      timeoutMs: restoreWithinMs,
      intervalMs: 100,
    });
  });
});
