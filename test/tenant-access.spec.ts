// The kubeconfig a student downloads works against a REAL tenant API server: the simulator starts one for the claimed
// tenant with its platform-minted PKI (serving certificate from the tenant CA for kubeadm's names), a local port
// forwarded to it stands in for the public endpoint (the exposure Service's node port on EXPOSURE_PUBLIC_HOST), and
// the served kubeconfig completes the TLS handshake (verifying `tls-server-name`) and an authenticated request. The
// same kubeconfig with another CA fails the handshake.
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KubeApiError, KubeClient } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import { api, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();
const forwarders: Server[] = [];
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** 127.0.0.1:`port` forwarded to 127.0.0.1:`target`: the public endpoint, as a student's laptop would reach it. */
async function forward(port: number, target: number): Promise<void> {
  const server = createServer((socket) => {
    const upstream = connect(target, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  forwarders.push(server);
}

interface KubeconfigDocument {
  clusters: { cluster: { server: string; 'tls-server-name': string; 'certificate-authority-data': string } }[];
}

function clientFor(yaml: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromString(yaml);
  return new KubeClient(config, 'student');
}

describe('tenant access', () => {
  it.skipIf(!inject('lanes').etcdUrl)(
    "the served kubeconfig reaches the tenant's real API server through the public endpoint, and only with its CA",
    { timeout: 180_000 },
    async () => {
      const lanes = inject('lanes');
      const platform = await platforms.start({
        labs: [testLab('access', { minReady: 1, maxTotal: 1 })],
        simulator: { bootMs: 200 },
        realTenantApis: { etcdUrl: lanes.etcdUrl!, max: 1 },
        env: { EXPOSURE_PUBLIC_HOST: '127.0.0.1' },
      });
      await waitForPoolsFull(platform);
      const claim = await api(platform, 'POST', '/v1/claims', { labId: 'access', userId: 'access-student' });
      expect(claim.status).toBe(201);
      const claimId = String(claim.body.id);
      const tenant = (await platform.persistence.tenants.findById(String(claim.body.tenantId)).lean())!;
      let served: Response | undefined;
      await waitFor('the kubeconfig to be served', async () => {
        served = await fetch(`${platform.claimApiUrl}/v1/claims/${claimId}/kubeconfig`, {
          headers: { authorization: `Bearer ${platform.apiKey}` },
        });
        return served.status === 200;
      });
      const yaml = await served!.text();
      const cluster = (parse(yaml) as KubeconfigDocument).clusters[0]!.cluster;
      const endpoint = new URL(cluster.server);
      expect(endpoint.hostname).toBe('127.0.0.1');
      expect(cluster['tls-server-name']).toBe(`kube-api.${tenant.namespace}.svc`);

      const server = await platform.tenantClusters!.serve(tenant.namespace);
      // The certificate was issued for kubeadm's names, not for the public address the kubeconfig dials.
      expect(server.names.dns).toContain(cluster['tls-server-name']);
      expect(server.names.ips).not.toContain('127.0.0.1');
      await forward(Number(endpoint.port), server.port);

      const student = clientFor(yaml);
      const namespaces = await student.list('v1', 'Namespace');
      expect(namespaces.map((n) => n.metadata?.name)).toContain('default');
      await student.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'student-was-here' } });

      // Another CA (the host lane's) does not verify the tenant API: the handshake fails, nothing is sent.
      const hostCa = (
        parse(readFileSync(lanes.kubeconfigPath, 'utf8')) as {
          clusters: { cluster: { 'certificate-authority-data': string } }[];
        }
      ).clusters[0]!.cluster['certificate-authority-data'];
      const wrong = parse(yaml) as KubeconfigDocument;
      wrong.clusters[0]!.cluster['certificate-authority-data'] = hostCa;
      const error = await clientFor(stringify(wrong))
        .list('v1', 'Namespace')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect((error as KubeApiError).code).toBe('kube.unreachable');
      await platform.tenantClusters!.release(tenant.namespace);
    },
  );
});
