// The bootstrap outcome's RBAC, proven on the lane's real kube-apiserver: what the control plane applies after
// `kubeadm init` lets the bootstrap token's group read and replace exactly the workers' outcome ConfigMaps, and nothing
// else (no other ConfigMap, no create, list or delete). The token's identity is played by impersonation as the lane's
// admin; the test's own namespace stands in for kube-system (the rules are namespaced alike).
import { randomBytes } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { renderBootstrapOutcomeManifest } from './render-cloud-init';

const namespace = `bootstrap-rbac-${randomBytes(3).toString('hex')}`;
let kube: KubeClient;
let kc: KubeConfig;

/** One request as the bootstrap token `abcdef` would make it (kubeadm's user and groups for a bootstrap token). */
async function asBootstrapToken(method: string, path: string, body?: unknown): Promise<number> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: RequestOptions = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: {
      'Impersonate-User': 'system:bootstrap:abcdef',
      'Impersonate-Group': ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'],
      'content-type': 'application/json',
    },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise<number>((resolve, reject) => {
    const req = request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const configMap = (name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels: { 'kubelabs.io/bootstrap-outcome': 'true' } },
  data: { phase, node: name.replace('kubelabs-bootstrap-', ''), step: 'done', message: '' },
});

beforeAll(async () => {
  const { kubeconfigPath } = inject('lanes');
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kube = KubeClient.create({ kubeconfigPath, fieldManager: 'bootstrap-rbac-test' });
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubeObject);
  const documents = parseAllDocuments(renderBootstrapOutcomeManifest('controlplane', ['node01', 'node02'])).map(
    (d) => d.toJS() as KubeObject,
  );
  for (const document of documents) await kube.apply({ ...document, metadata: { ...document.metadata, namespace } });
  // The control plane's own outcome, which no token may touch.
  await kube.apply(configMap('kubelabs-bootstrap-controlplane', 'Running') as KubeObject);
});

afterAll(async () => {
  await kube?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('the bootstrap outcome RBAC on a real API server', () => {
  const base = `/api/v1/namespaces/${namespace}/configmaps`;

  it('lets the bootstrap token read and replace each worker’s own outcome ConfigMap', async () => {
    expect(await asBootstrapToken('GET', `${base}/kubelabs-bootstrap-node01`)).toBe(200);
    expect(
      await asBootstrapToken(
        'PUT',
        `${base}/kubelabs-bootstrap-node01`,
        configMap('kubelabs-bootstrap-node01', 'Failed'),
      ),
    ).toBe(200);
    expect(
      await asBootstrapToken(
        'PUT',
        `${base}/kubelabs-bootstrap-node02`,
        configMap('kubelabs-bootstrap-node02', 'Succeeded'),
      ),
    ).toBe(200);
    const stored = await kube.get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'kubelabs-bootstrap-node01',
    });
    expect(stored?.data.phase).toBe('Failed');
    expect(stored?.metadata.labels?.['kubelabs.io/bootstrap-outcome']).toBe('true');
  });

  it('refuses everything else: the control plane’s outcome, other objects, create, list, delete', async () => {
    expect(
      await asBootstrapToken(
        'PUT',
        `${base}/kubelabs-bootstrap-controlplane`,
        configMap('kubelabs-bootstrap-controlplane', 'Failed'),
      ),
    ).toBe(403);
    expect(await asBootstrapToken('GET', `${base}/kubelabs-bootstrap-controlplane`)).toBe(403);
    expect(await asBootstrapToken('POST', base, configMap('kubelabs-bootstrap-node03', 'Succeeded'))).toBe(403);
    expect(await asBootstrapToken('GET', base)).toBe(403);
    expect(await asBootstrapToken('DELETE', `${base}/kubelabs-bootstrap-node01`)).toBe(403);
    expect(await asBootstrapToken('GET', `/api/v1/namespaces/${namespace}/secrets`)).toBe(403);
  });
});
