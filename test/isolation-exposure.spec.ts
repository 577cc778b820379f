// Isolation and exposure end to end, against the lane's real kube-apiserver with every service running: each tenant
// namespace is isolated before any VM exists, no NodePort exists for a tenant nobody owns, a claim opens SSH and the
// tenant API at a public endpoint (the served kubeconfig points there and still verifies the API certificate's
// name), release closes it, and the enforcer undoes hand edits.
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, storedEvents, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();
const resyncMs = 3_000;

type Meta = KubeObject & { metadata: { name: string; creationTimestamp?: string; resourceVersion?: string } };
type ServiceObject = Meta & { spec: { type: string; ports: { name: string; port: number; nodePort?: number }[] } };

describe('isolation and exposure', () => {
  it(
    'isolates every tenant before its VMs, opens SSH and the API while claimed, closes them on release, undoes hand edits',
    { timeout: 180_000 },
    async () => {
      const platform: RunningPlatform = await platforms.start({
        // The lab's own quota margin (the catalog's `quota` block) replaces the enforcer's QUOTA_EXTRA_PODS.
        labs: [{ ...testLab('iso', { minReady: 2, maxTotal: 3, workers: 1 }), quota: { extraPods: 7 } }],
        simulator: { bootMs: 200 },
        env: { RESYNC_INTERVAL_MS: String(resyncMs) },
        serviceEnv: { 'netpol-enforcer': { EXPOSURE_PUBLIC_HOST: 'labs.example.org' } },
      });
      await waitForPoolsFull(platform);
      const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubectl-edit' });
      const tenants = await platform.persistence.tenants.find({ labId: 'iso', state: 'ready' }).lean();
      expect(tenants).toHaveLength(2);

      for (const tenant of tenants) {
        const ns = tenant.namespace;
        const policies = await kube.list<Meta>('networking.k8s.io/v1', 'NetworkPolicy', { namespace: ns });
        const vms = await kube.list<Meta>('kubevirt.io/v1', 'VirtualMachine', { namespace: ns });
        const services = await kube.list<ServiceObject>('v1', 'Service', { namespace: ns });
        expect(policies.map((p) => p.metadata.name).sort()).toEqual([
          'baseline-default-deny',
          'baseline-dns',
          'baseline-internet',
          'baseline-platform',
          'baseline-tenant-vms',
        ]);
        const quotas = await kube.list<Meta & { spec: { hard: Record<string, string> } }>('v1', 'ResourceQuota', {
          namespace: ns,
        });
        // Two VMs (a control plane, a worker) plus the lab's 7 extra pods.
        expect(quotas.map((q) => q.spec.hard.pods)).toEqual(['9']);
        // Isolated before any VM: the deny-all policy is older than every VirtualMachine (and recorded first).
        const denyAt = Date.parse(
          policies.find((p) => p.metadata.name === 'baseline-default-deny')!.metadata.creationTimestamp!,
        );
        for (const vm of vms) expect(Date.parse(vm.metadata.creationTimestamp!)).toBeGreaterThanOrEqual(denyAt);
        expect(tenant.isolatedAt).toBeTruthy();
        // Nobody owns it: nothing reachable from outside.
        expect(services.filter((s) => s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer')).toEqual([]);
      }

      const claim = await api(platform, 'POST', '/v1/claims', {
        labId: 'iso',
        userId: 'iso-student',
        sshPublicKey: studentKey('iso@laptop'),
      });
      expect(claim.status).toBe(201);
      expect((claim.body.access as { state: string }).state).toBe('opening');
      const claimId = String(claim.body.id);
      const tenant = (await platform.persistence.tenants.findById(String(claim.body.tenantId)).lean())!;
      const ns = tenant.namespace;
      type Access = { state: string; ssh?: { host: string; port: number }; api?: { port: number; server: string } };
      let access: Access = { state: 'opening' };
      await waitFor('the access to open', async () => {
        access = (await api(platform, 'GET', `/v1/claims/${claimId}`)).body.access as Access;
        return access.state === 'open';
      });
      const exposure = await kube.get<ServiceObject>({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns,
        name: 'exposure',
      });
      expect(exposure?.spec.type).toBe('NodePort');
      const nodePort = (name: string) => exposure!.spec.ports.find((p) => p.name === name)!.nodePort!;
      expect(access.ssh).toMatchObject({ host: 'labs.example.org', port: nodePort('ssh') });
      expect(access.api).toMatchObject({
        port: nodePort('kube-api'),
        server: `https://labs.example.org:${nodePort('kube-api')}`,
      });
      await waitFor('tenant.exposure.opened on JetStream', async () =>
        (await storedEvents(platform, 'tenant.exposure.opened')).some(
          (e) =>
            e.data.claimId === claimId &&
            JSON.stringify(e.data.ports) === JSON.stringify([nodePort('ssh'), nodePort('kube-api')]),
        ),
      );

      // The served kubeconfig dials the public endpoint and verifies a name the API certificate carries.
      const served = await fetch(`${platform.claimApiUrl}/v1/claims/${claimId}/kubeconfig`, {
        headers: { authorization: `Bearer ${platform.apiKey}` },
      });
      expect(served.status).toBe(200);
      const kubeconfig = parse(await served.text()) as {
        clusters: { cluster: { server: string; 'tls-server-name': string; 'certificate-authority-data': string } }[];
      };
      const cluster = kubeconfig.clusters[0]!.cluster;
      expect(cluster.server).toBe(access.api!.server);
      expect(cluster['tls-server-name']).toBe(`kube-api.${ns}.svc`);
      const pki = await kube.get<KubeObject & { data: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: ns,
        name: 'tenant-pki',
      });
      expect(Buffer.from(cluster['certificate-authority-data'], 'base64').toString()).toBe(
        Buffer.from(pki!.data['ca.crt']!, 'base64').toString(),
      );
      // kubeadm signs the API server certificate with the tenant CA for the certSANs the provisioner rendered.
      const cloudInit = await kube.get<KubeObject & { data: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: ns,
        name: `${tenant._id}-cp-cloudinit`,
      });
      expect(Buffer.from(cloudInit!.data.userdata!, 'base64').toString()).toContain(`- kube-api.${ns}.svc\n`);

      // Drift: a deleted policy and an edited exposure Service are put back, and the enforcer says so.
      await kube.delete({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: ns,
        name: 'baseline-default-deny',
      });
      await kube.delete({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'exposure' });
      await waitFor(
        'the policy and the Service restored',
        async () =>
          (await kube.get({
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            namespace: ns,
            name: 'baseline-default-deny',
          })) !== undefined &&
          (await kube.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'exposure' })) !== undefined,
        { timeoutMs: 2 * resyncMs },
      );
      await waitFor('tenant.policy.restored on JetStream', async () =>
        (await storedEvents(platform, 'tenant.policy.restored')).some(
          (e) =>
            e.data.tenantId === tenant._id &&
            (e.data.objects as string[]).includes('NetworkPolicy/baseline-default-deny'),
        ),
      );
      // The re-created Service got new node ports: the claim's access follows.
      await waitFor('the access to follow the new node ports', async () => {
        const now = await kube.get<ServiceObject>({
          apiVersion: 'v1',
          kind: 'Service',
          namespace: ns,
          name: 'exposure',
        });
        const view = (await api(platform, 'GET', `/v1/claims/${claimId}`)).body.access as Access;
        return view.ssh?.port === now?.spec.ports.find((p) => p.name === 'ssh')?.nodePort;
      });

      // Nothing else is reported as drift: two more resyncs later, still only the restorations above.
      const restored = async () =>
        (await storedEvents(platform, 'tenant.policy.restored')).filter((e) => e.data.tenantId === tenant._id).length;
      const restoredSoFar = await restored();
      expect(restoredSoFar).toBeLessThanOrEqual(2); // the two deletions, seen in one pass or two
      await new Promise((resolve) => setTimeout(resolve, 2 * resyncMs + 500));
      expect(await restored()).toBe(restoredSoFar);
      expect(
        (await storedEvents(platform, 'tenant.policy.restored')).filter((e) => e.data.tenantId !== tenant._id),
      ).toEqual([]);

      // A restart of the enforcer changes nothing that is already right.
      const versions = async () =>
        (await kube.list<Meta>('networking.k8s.io/v1', 'NetworkPolicy', { namespace: ns }))
          .map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`)
          .sort();
      const before = await versions();
      await platform.restart('netpol-enforcer');
      await new Promise((resolve) => setTimeout(resolve, resyncMs + 500));
      expect(await versions()).toEqual(before);

      // Release closes the exposure.
      expect((await api(platform, 'DELETE', `/v1/claims/${claimId}`)).status).toBe(200);
      await waitFor('tenant.exposure.closed on JetStream', async () =>
        (await storedEvents(platform, 'tenant.exposure.closed')).some((e) => e.data.tenantId === tenant._id),
      );
    },
  );
});
