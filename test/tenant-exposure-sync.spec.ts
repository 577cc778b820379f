// The syncer end to end, with every service running and REAL kube-apiservers as the tenant clusters (the simulator
// starts one per claimed tenant on the lane's etcd, with that tenant's platform-minted PKI): NodePort and LoadBalancer
// Services and Ingresses created, updated and deleted inside two tenants are mirrored in their host namespaces with
// host-allocated ports, selectors, confined hosts and written-back addresses; limits and foreign names are refused
// with a reason; a SIGKILLed syncer converges after restart without orphans; release leaves nothing behind.
import { describe, expect, inject, it } from 'vitest';
import { parseTenantPkiData } from '@kubelabs/domain';
import { KubeClient, tenantClusterClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { api, storedEvents, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();
const resyncMs = 2_000;
const publicHost = 'labs.example.org';

type Meta = KubeObject & {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string };
};
type ServiceObject = Meta & {
  spec: {
    type: string;
    selector?: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: number; nodePort?: number; protocol?: string }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
};
type IngressObject = Meta & {
  spec: {
    rules: { host: string; http: { paths: { backend: unknown }[] } }[];
    tls?: { hosts: string[]; secretName: string }[];
  };
};

function nodePortService(name: string, namespace: string, port: number, nodePort?: number, type = 'NodePort') {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type, selector: { app: name }, ports: [{ port, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }] },
  };
}

function ingress(name: string, namespace: string, host: string, service: string, port: number) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } }],
          },
        },
      ],
    },
  };
}

async function claimTenant(platform: RunningPlatform, host: KubeClient, userId: string) {
  const claim = await api(platform, 'POST', '/v1/claims', { labId: 'sync', userId });
  expect(claim.status).toBe(201);
  const tenantId = String(claim.body.tenantId);
  const tenant = (await platform.persistence.tenants.findById(tenantId).lean())!;
  const server = await platform.tenantClusters!.serve(tenant.namespace);
  const pki = await host.get<KubeObject & { data: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: tenant.namespace,
    name: 'tenant-pki',
  });
  const credentials = parseTenantPkiData(pki!.data);
  // The student's side: the tenant API through the same router and credentials the platform uses.
  const client = tenantClusterClient(
    {
      server: platform.tenantClusters!.urlTemplate,
      tlsServerName: server.serverName,
      caCertificatePem: credentials.caCertificatePem,
      adminCertificatePem: credentials.adminCertificatePem,
      adminKeyPem: credentials.adminKeyPem,
    },
    'kubectl',
  );
  return { claimId: String(claim.body.id), tenantId, namespace: tenant.namespace, client };
}

describe('the syncer', () => {
  it.skipIf(!inject('lanes').etcdUrl)(
    'mirrors Services and Ingresses of two real tenant clusters, refuses with reasons, survives SIGKILL, cleans up',
    { timeout: 240_000 },
    async () => {
      const lanes = inject('lanes');
      const platform = await platforms.start({
        // The lab's own limits (catalog `exposure`), over the syncer's defaults of 4.
        labs: [{ ...testLab('sync', { minReady: 2, maxTotal: 3 }), exposure: { services: 3, ingresses: 2 } }],
        simulator: { bootMs: 200 },
        realTenantApis: { etcdUrl: lanes.etcdUrl!, max: 2 },
        env: { RESYNC_INTERVAL_MS: String(resyncMs), EXPOSURE_PUBLIC_HOST: publicHost },
        serviceEnv: {
          syncer: { SYNC_INGRESS_DOMAIN: publicHost, SYNC_INGRESS_TLS_ISSUER: 'letsencrypt-staging' },
          'netpol-enforcer': { ENFORCER_RESYNC_INTERVAL_MS: String(resyncMs) },
        },
      });
      await waitForPoolsFull(platform);
      const host = KubeClient.create({ kubeconfigPath: lanes.kubeconfigPath, fieldManager: 'kubectl-edit' });
      const [a, b] = await Promise.all([claimTenant(platform, host, 'sync-a'), claimTenant(platform, host, 'sync-b')]);
      const hostService = (ns: string, name: string) =>
        host.get<ServiceObject>({ apiVersion: 'v1', kind: 'Service', namespace: ns, name });
      const tenantService = (t: typeof a, ns: string, name: string) =>
        t.client.get<ServiceObject>({ apiVersion: 'v1', kind: 'Service', namespace: ns, name });
      const annotation = async (t: typeof a, ns: string, name: string, key: string) =>
        (await tenantService(t, ns, name))?.metadata.annotations?.[key];

      // A hand-made host object with the name the syncer would use: it must be left alone.
      await host.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'hand-x-default', namespace: a.namespace },
        spec: { ports: [{ port: 1234 }] },
      });

      // Tenant A: the same name in two namespaces, a LoadBalancer, a foreign-name clash; tenant B: the same nodePort
      // as A and a 63-character name.
      await a.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      await a.client.apply(nodePortService('web', 'default', 80, 30080));
      await a.client.apply(nodePortService('web', 'shop', 8080));
      await a.client.apply(nodePortService('lb', 'default', 443, undefined, 'LoadBalancer'));
      await a.client.apply(nodePortService('hand', 'default', 81));
      await a.client.apply(nodePortService('internal', 'default', 9000, undefined, 'ClusterIP'));
      const longName = `l${'o'.repeat(61)}g`;
      expect(longName).toHaveLength(63);
      await b.client.apply(nodePortService('web', 'default', 80, 30080));
      await b.client.apply(nodePortService(longName, 'default', 80));

      await waitFor(
        'both tenants mirrored with written-back addresses',
        async () =>
          !!(await annotation(a, 'default', 'web', 'kubelabs.io/public-addresses')) &&
          !!(await annotation(a, 'shop', 'web', 'kubelabs.io/public-addresses')) &&
          !!(await annotation(a, 'default', 'lb', 'kubelabs.io/public-addresses')) &&
          !!(await annotation(b, 'default', 'web', 'kubelabs.io/public-addresses')) &&
          !!(await annotation(b, 'default', longName, 'kubelabs.io/public-addresses')),
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      const aWeb = (await hostService(a.namespace, 'web-x-default'))!;
      const bWeb = (await hostService(b.namespace, 'web-x-default'))!;
      for (const [tenant, mirror] of [
        [a, aWeb],
        [b, bWeb],
      ] as const) {
        expect(mirror.spec.type).toBe('NodePort');
        expect(mirror.spec.selector).toEqual({ 'kubelabs.io/tenant': tenant.tenantId });
        expect(mirror.spec.ports[0]).toMatchObject({ port: 80, targetPort: 30080 });
        expect(mirror.metadata.annotations?.['kubelabs.io/source-name']).toBe('web');
        expect(await annotation(tenant, 'default', 'web', 'kubelabs.io/public-addresses')).toBe(
          `80/TCP=${publicHost}:${mirror.spec.ports[0]!.nodePort}`,
        );
      }
      // Both asked for node port 30080 inside their clusters; each got its own on the host.
      expect(aWeb.spec.ports[0]!.nodePort).not.toBe(bWeb.spec.ports[0]!.nodePort);
      const aShop = (await hostService(a.namespace, 'web-x-shop'))!;
      const shopNodePort = (await tenantService(a, 'shop', 'web'))!.spec.ports[0]!.nodePort;
      expect(aShop.spec.ports[0]).toMatchObject({ port: 8080, targetPort: shopNodePort });
      // The syncer is the tenant's load-balancer provider: EXTERNAL-IP shows the public host.
      expect((await tenantService(a, 'default', 'lb'))!.status?.loadBalancer?.ingress).toEqual([
        { hostname: publicHost },
      ]);
      const longMirror = (await host.list<ServiceObject>('v1', 'Service', { namespace: b.namespace })).find(
        (s) => s.metadata.annotations?.['kubelabs.io/source-name'] === longName,
      )!;
      expect(longMirror.metadata.name).toHaveLength(63);

      // Refusals carry a reason, on the object and as a Warning event kubectl describe shows.
      await a.client.apply(nodePortService('zz-excess', 'shop', 80));
      await waitFor(
        'the excess and the name clash refused',
        async () =>
          (await annotation(a, 'shop', 'zz-excess', 'kubelabs.io/exposure')) === 'rejected' &&
          (await annotation(a, 'default', 'hand', 'kubelabs.io/exposure')) === 'rejected',
      );
      expect(await annotation(a, 'shop', 'zz-excess', 'kubelabs.io/exposure-message')).toContain('at most 3');
      expect(await hostService(a.namespace, 'zz-excess-x-shop')).toBeUndefined();
      const hand = (await hostService(a.namespace, 'hand-x-default'))!;
      expect(hand.metadata.labels?.['kubelabs.io/component']).toBeUndefined();
      expect(hand.spec.ports[0]!.port).toBe(1234);
      const warnings = await a.client.list<
        KubeObject & { reason: string; message: string; involvedObject: Meta['metadata'] }
      >('v1', 'Event', { namespace: 'shop' });
      expect(warnings.some((e) => e.involvedObject.name === 'zz-excess' && e.reason === 'ExposureRejected')).toBe(true);

      // Ingresses: a foreign host is confined to the tenant's subdomain; a ClusterIP backend is reported with the fix.
      await a.client.apply(ingress('site', 'default', 'www.google.com', 'web', 80));
      await a.client.apply(ingress('inner', 'default', `inner.${a.tenantId}.${publicHost}`, 'internal', 9000));
      let site: IngressObject | undefined;
      await waitFor('the Ingress mirrored and the unreachable one reported', async () => {
        site = await host.get<IngressObject>({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          namespace: a.namespace,
          name: 'site-x-default',
        });
        const inner = await a.client.get<Meta>({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          namespace: 'default',
          name: 'inner',
        });
        return !!site && inner?.metadata.annotations?.['kubelabs.io/exposure'] === 'rejected';
      });
      expect(site!.spec.rules[0]!.host).toMatch(
        new RegExp(`^www-google-com-[0-9a-f]{8}\\.${a.tenantId}\\.labs\\.example\\.org$`),
      );
      expect(site!.spec.rules[0]!.http.paths[0]!.backend).toEqual({
        service: { name: 'web-x-default', port: { number: 80 } },
      });
      // With a TLS issuer: the mapped host in a tls section, the certificate left to cert-manager (by its annotation).
      expect(site!.spec.tls).toEqual([{ hosts: [site!.spec.rules[0]!.host], secretName: 'site-x-default-tls' }]);
      expect(site!.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt-staging');
      const innerWarnings = await a.client.list<
        KubeObject & { reason: string; message: string; involvedObject: { name: string } }
      >('v1', 'Event', { namespace: 'default' });
      expect(
        innerWarnings.find((e) => e.involvedObject.name === 'inner' && e.reason === 'ExposureRejected')?.message,
      ).toContain('make it NodePort');
      await waitFor('tenant.exposure.synced on JetStream', async () =>
        (await storedEvents(platform, 'tenant.exposure.synced')).some(
          (e) => e.data.tenantId === a.tenantId && e.data.name === 'site' && e.data.state === 'synced',
        ),
      );

      // Tenant B's Ingress: a host inside its subdomain is kept; edited to a foreign host it is confined; deleted, it goes.
      const bIngress = () =>
        host.get<IngressObject>({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          namespace: b.namespace,
          name: 'shop-x-default',
        });
      const kept = `shop.${b.tenantId}.${publicHost}`;
      await b.client.apply(ingress('shop', 'default', kept, 'web', 80));
      await waitFor(
        "B's Ingress mirrored with its own host",
        async () => (await bIngress())?.spec.rules[0]?.host === kept,
      );
      await b.client.apply(ingress('shop', 'default', `shop.${a.tenantId}.${publicHost}`, 'web', 80));
      await waitFor("B's Ingress confined when it names A's subdomain", async () => {
        const rule = (await bIngress())?.spec.rules[0]?.host ?? '';
        return rule !== kept && rule.endsWith(`.${b.tenantId}.${publicHost}`);
      });
      await b.client.delete({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        namespace: 'default',
        name: 'shop',
      });
      await waitFor("B's Ingress removed from the host", async () => (await bIngress()) === undefined);

      // Update and delete inside the tenant follow on the host.
      await a.client.mergePatch(
        { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'web' },
        { spec: { ports: [{ port: 8081, protocol: 'TCP', nodePort: 30080 }] } },
      );
      await a.client.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' });
      await waitFor('the update and the deletion mirrored', async () => {
        const web = await hostService(a.namespace, 'web-x-default');
        return web?.spec.ports[0]?.port === 8081 && (await hostService(a.namespace, 'web-x-shop')) === undefined;
      });

      // SIGKILL mid-stream: while it is down, a Service is deleted and another created inside A, and a host mirror
      // deleted by hand. After the restart it converges: no orphan, nothing missing.
      await platform.services.get('syncer')!.stop('SIGKILL');
      await a.client.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'lb' });
      await a.client.apply(nodePortService('after', 'default', 80));
      await host.delete({ apiVersion: 'v1', kind: 'Service', namespace: b.namespace, name: 'web-x-default' });
      await platform.restart('syncer');
      await waitFor(
        'convergence after the restart',
        async () =>
          (await hostService(a.namespace, 'lb-x-default')) === undefined &&
          (await hostService(a.namespace, 'after-x-default')) !== undefined &&
          (await hostService(b.namespace, 'web-x-default')) !== undefined,
      );
      // zz-excess now fits under the limit (shop/web and lb are gone).
      await waitFor(
        'the excess admitted once there is room',
        async () => (await hostService(a.namespace, 'zz-excess-x-shop')) !== undefined,
      );

      // Release: nothing of A stays exposed; B is untouched.
      expect((await api(platform, 'DELETE', `/v1/claims/${a.claimId}`)).status).toBe(200);
      const owned = async (tenantId: string) =>
        [
          ...(await host.list('v1', 'Service', {
            labelSelector: `kubelabs.io/component=syncer,kubelabs.io/tenant=${tenantId}`,
          })),
          ...(await host.list('networking.k8s.io/v1', 'Ingress', {
            labelSelector: `kubelabs.io/component=syncer,kubelabs.io/tenant=${tenantId}`,
          })),
        ].length;
      await waitFor('release to remove every host object of A', async () => (await owned(a.tenantId)) === 0);
      expect(await owned(b.tenantId)).toBe(2);
      await platform.tenantClusters!.release(a.namespace);
    },
  );
});
