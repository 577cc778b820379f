// Lab checks end to end, with every service running on the lanes and the simulator playing the catalog's labs:
// broken-kubelet's tenants turn ready broken as intended and are claimed; its solution checks fail with their hints,
// then pass once the simulator plays the student's fix, each run on JetStream as claim.checked; one run at a time per
// claim and only the claim's own key. A tenant whose bootstrap reports a failure fails at once naming the step, is
// cleaned up and rebuilt; a readiness check that never holds fails the tenant at its deadline with its message.
import { describe, expect, inject, it } from 'vitest';
import { loadCatalogDirectory } from '@kubelabs/catalog';
import type { Lab } from '@kubelabs/domain';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import { api, storedEvents, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();

async function catalogLab(id: string): Promise<Lab> {
  const { labs, errors } = await loadCatalogDirectory('deploy/catalog');
  expect(errors).toEqual([]);
  return labs.find((lab) => lab.id === id)!;
}

type Result = { index: number; kind: string; title: string; passed: boolean; message: string; hint?: string };
type Checks = { claimId: string; runId: string; solved: boolean; passed: number; total: number; results: Result[] };

describe('lab checks', () => {
  it(
    'readies broken-kubelet broken as intended, grades it unsolved with hints, then solved after the fix',
    { timeout: 120_000 },
    async () => {
      const lab = await catalogLab('broken-kubelet');
      const platform = await platforms.start({
        labs: [{ ...lab, pool: { minReady: 1, maxTotal: 2 } }],
        simulator: { bootMs: 200 },
      });
      await waitForPoolsFull(platform);

      // Ready although its worker is NotReady: the lab's readiness checks, not "every node Ready", decided.
      const [ready] = await platform.persistence.tenants.find({ labId: 'broken-kubelet', state: 'ready' }).lean();
      const tenantView = await api(platform, 'GET', `/v1/tenants/${ready!._id}`);
      const conditions = tenantView.body.conditions as { type: string; status: string; message: string }[];
      expect(conditions.find((c) => c.type === 'Bootstrapped')).toMatchObject({ status: 'True' });
      expect(conditions.find((c) => c.type === 'ReadinessChecks')).toMatchObject({
        status: 'True',
        message: '3 readiness checks hold',
      });

      // A claim-scoped key claims it; another claim-scoped key cannot grade that claim.
      const keyA = await api(platform, 'POST', '/v1/api-keys', { name: 'school-a', scopes: ['claim'] });
      const keyB = await api(platform, 'POST', '/v1/api-keys', { name: 'school-b', scopes: ['claim'] });
      const asA = { claimApiUrl: platform.claimApiUrl, apiKey: String(keyA.body.key) };
      const asB = { claimApiUrl: platform.claimApiUrl, apiKey: String(keyB.body.key) };
      const claim = await api(asA, 'POST', '/v1/claims', {
        labId: 'broken-kubelet',
        userId: 'grace',
        sshPublicKey: studentKey('grace@laptop'),
      });
      expect(claim.status).toBe(201);
      const claimId = String(claim.body.id);
      const tenant = (await platform.persistence.tenants.findById(String(claim.body.tenantId)).lean())!;
      expect((await api(asB, 'POST', `/v1/claims/${claimId}/checks`)).status).toBe(404);
      // What grading reads besides the kubeconfig: the platform's SSH key for this tenant, in its own Secret.
      const kube = KubeClient.create({
        kubeconfigPath: inject('lanes').kubeconfigPath,
        fieldManager: 'lab-checks-test',
      });
      const checksSecret = await kube.get<KubeObject & { data: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: tenant.namespace,
        name: 'tenant-checks',
      });
      expect(Object.keys(checksSecret!.data).toSorted()).toEqual(['platform-ssh-key', 'ssh-host-key.pub']);

      const unsolved = await api<Checks>(asA, 'POST', `/v1/claims/${claimId}/checks`);
      expect(unsolved.status).toBe(200);
      expect(unsolved.body).toMatchObject({ claimId, solved: false, passed: 0, total: 2 });
      expect(unsolved.body.results).toEqual(
        lab.checks!.solution!.map((check, index) => ({
          index,
          kind: check.kind,
          title: check.title,
          passed: false,
          message: expect.any(String),
          hint: check.hint,
        })),
      );
      expect(unsolved.body.results[0]!.message).toBe('node node01 is NotReady, expected Ready');
      expect(unsolved.body.results[1]!.message).toBe('Deployment default/web has 0/2 replicas ready, needs 2');

      // One run at a time per claim: a run in progress (held on the claim by another replica) answers 409.
      await platform.persistence.claims.updateOne(
        { _id: claimId },
        { $set: { checksRunUntil: new Date(Date.now() + 60_000) } },
      );
      const busy = await fetch(`${platform.claimApiUrl}/v1/claims/${claimId}/checks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${asA.apiKey}` },
      });
      expect(busy.status).toBe(409);
      expect(busy.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(busy.headers.get('retry-after')).toBe('5');
      expect(((await busy.json()) as { code: string }).code).toBe('claim.checks_running');
      await platform.persistence.claims.updateOne({ _id: claimId }, { $unset: { checksRunUntil: 1 } });

      // The student repairs the kubelet (played by the simulator); grading says solved and never changed the tenant.
      platform.simulator.scenarios.solve(tenant.namespace);
      const solved = await api<Checks>(asA, 'POST', `/v1/claims/${claimId}/checks`);
      expect(solved.status).toBe(200);
      expect(solved.body).toMatchObject({ claimId, solved: true, passed: 2, total: 2 });
      expect(solved.body.results.every((r) => r.passed && r.hint === undefined)).toBe(true);
      expect((await platform.persistence.tenants.findById(tenant._id).lean())!.state).toBe('claimed');

      let checked: { data: Record<string, unknown> }[] = [];
      await waitFor('both runs as claim.checked on JetStream', async () => {
        checked = (await storedEvents(platform, 'claim.checked')).filter((e) => e.data.claimId === claimId);
        return checked.length === 2;
      });
      expect(checked.map((e) => [e.data.runId, e.data.solved, e.data.passed])).toEqual([
        [unsolved.body.runId, false, 0],
        [solved.body.runId, true, 2],
      ]);
      expect(checked[0]!.data).toMatchObject({ labId: 'broken-kubelet', userId: 'grace', tenantId: tenant._id });
      expect((checked[0]!.data.results as Result[])[0]).toMatchObject({
        passed: false,
        hint: lab.checks!.solution![0]!.hint,
      });

      // A released claim has nothing to grade.
      expect((await api(asA, 'DELETE', `/v1/claims/${claimId}`)).status).toBe(200);
      const ended = await api(asA, 'POST', `/v1/claims/${claimId}/checks`);
      expect(ended.status).toBe(409);
      expect(ended.body.code).toBe('claim.not_active');
    },
  );

  it(
    'fails a tenant whose bootstrap reports a failure at once, naming the step, cleans it up and rebuilds it',
    { timeout: 120_000 },
    async () => {
      const platform = await platforms.start({
        labs: [testLab('bootfail', { minReady: 1, maxTotal: 1, workers: 1 })],
        simulator: {
          bootMs: 200,
          bootstrapFailures: [
            { labId: 'bootfail', node: 'node01', step: 'kubeadm join', message: 'kubeadm join failed 3 times' },
          ],
        },
      });
      let failed: { _id: string; provisioningDeadline: Date; failureReason?: string } | null = null;
      await waitFor('the first tenant to fail', async () => {
        failed = await platform.persistence.tenants
          .findOne({ labId: 'bootfail', failureReason: { $exists: true } })
          .lean();
        return failed !== null;
      });
      const first = failed!;
      expect(first.failureReason).toBe('bootstrap.failed');
      // At once: the provisioning deadline (15 minutes by default) is far away.
      expect(first.provisioningDeadline.getTime() - Date.now()).toBeGreaterThan(10 * 60_000);

      await waitFor('tenant.failed naming the node and step', async () =>
        (await storedEvents(platform, 'tenant.failed')).some(
          (e) =>
            e.data.tenantId === first._id &&
            e.data.reason === 'bootstrap.failed' &&
            e.data.message === 'bootstrap failed at node01: kubeadm join: kubeadm join failed 3 times',
        ),
      );
      const progress = (await storedEvents(platform, 'tenant.provisioning')).filter(
        (e) => e.data.tenantId === first._id,
      );
      expect(progress.map((e) => e.data.step)).toContain('bootstrapping');
      expect(progress.find((e) => e.data.step === 'bootstrapping')!.data.bootstrap).toEqual({
        node: 'node01',
        step: 'kubeadm join',
      });

      // Cleaned up, and the pool rebuilt (the simulator fails only the first tenant).
      await waitFor(
        'the failed tenant to be deleted and a rebuilt one to be ready',
        async () =>
          (await platform.persistence.tenants.findById(first._id).lean())?.state === 'deleted' &&
          (await platform.persistence.tenants.countDocuments({ labId: 'bootfail', state: 'ready' })) === 1,
        { timeoutMs: 60_000 },
      );
    },
  );

  it(
    'fails a tenant whose readiness check never holds at its deadline, with the check’s message',
    { timeout: 120_000 },
    async () => {
      const stuck: Lab = {
        ...testLab('stuck', { minReady: 1, maxTotal: 1 }),
        checks: {
          readiness: [
            { kind: 'node', state: 'Ready' },
            {
              kind: 'workload',
              namespace: 'default',
              name: 'never',
              readyReplicas: 1,
              title: 'the never Deployment runs',
            },
          ],
        },
      };
      const platform = await platforms.start({
        labs: [stuck],
        simulator: { bootMs: 200 },
        // Long enough to isolate, boot and bootstrap (a few seconds here), short enough for a test.
        serviceEnv: { 'pool-manager': { PROVISION_TIMEOUT_MS: '15000' } },
      });
      // Before its deadline the tenant waits, saying which readiness check does not hold.
      await waitFor('the failing readiness check on the provisioning tenant', async () => {
        const tenant = await platform.persistence.tenants.findOne({ labId: 'stuck', state: 'provisioning' }).lean();
        return (
          tenant?.conditions?.find((c) => c.type === 'ReadinessChecks')?.message ===
          'readiness check "the never Deployment runs" does not hold: Deployment default/never does not exist'
        );
      });
      let failed: { _id: string; provisioningDeadline: Date; failureReason?: string } | null = null;
      await waitFor(
        'the tenant to fail at its deadline',
        async () => {
          failed = await platform.persistence.tenants
            .findOne({ labId: 'stuck', failureReason: { $exists: true } })
            .lean();
          return failed !== null;
        },
        { timeoutMs: 30_000 },
      );
      expect(failed!.failureReason).toBe('readiness.check_failed');
      expect(Date.now()).toBeGreaterThanOrEqual(failed!.provisioningDeadline.getTime());
      await waitFor('tenant.failed with the check’s message', async () =>
        (await storedEvents(platform, 'tenant.failed')).some(
          (e) =>
            e.data.tenantId === failed!._id &&
            e.data.message ===
              'the provisioning deadline passed: readiness check "the never Deployment runs" does not hold: Deployment default/never does not exist',
        ),
      );
    },
  );
});
