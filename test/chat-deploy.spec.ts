// The chat adapters' manifests (deploy/integrations) must work the day they are applied after deploy/kubernetes: a
// real API server accepts them under the restricted Pod Security profile, and each Deployment sets only variables
// its config class declares and reads its secrets from a Secret, never from the manifest.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { repoRoot } from '@kubelabs/testing';

type Manifest = KubeObject & { metadata: { name: string; namespace?: string } } & Record<string, any>;

const folder = join(repoRoot, 'deploy', 'integrations');
const namespace = `kubelabs-chat-deploy-${randomBytes(4).toString('hex')}`;
const files = (parseYaml(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] })
  .resources;
const objects: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((doc) => doc.toJS() as Manifest),
);

/** Variables a config class declares: its own file, the shared chat adapter config and PlatformConfig. */
function declaredVariables(service: string): Set<string> {
  const sources = [
    'libs/config/src/platform-config.ts',
    'libs/chat/src/chat-adapter-config.ts',
    `services/${service}/src/config.ts`,
  ].map((path) => readFileSync(join(repoRoot, path), 'utf8'));
  return new Set(
    sources.flatMap((text) =>
      [...text.matchAll(/^\s+(?:override\s+)?([A-Z][A-Z0-9_]*)\??\s*:/gm)].map((m) => m[1] as string),
    ),
  );
}

describe('the chat adapter manifests in deploy/integrations', () => {
  const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'chat-deploy-test' });
  afterAll(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  it('are accepted by the API server in a namespace enforcing the restricted Pod Security profile', async () => {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    for (const object of objects) {
      const applied = (await kube.apply({ ...object, metadata: { ...object.metadata, namespace } })) as Manifest;
      expect(applied.metadata.uid, `${object.kind}/${object.metadata.name}`).toBeTruthy();
    }
    // Pod Security admission judges pods, not Deployments (and the lane runs no Deployment controller): a pod of
    // each template must be admitted.
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      const pod = await kube.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${deployment.metadata.name}-template`, namespace },
        spec: deployment.spec.template.spec,
      });
      expect(pod.metadata.uid).toBeTruthy();
    }
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual([
      'slack-adapter',
      'discord-adapter',
    ]);
  });

  it.each(objects.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, o] as const))(
    '%s sets only declared variables, takes its secrets from a Secret, and probes the port it listens on',
    (name, deployment) => {
      const container = deployment.spec.template.spec.containers[0];
      const declared = declaredVariables(name);
      const env = container.env as { name: string; value?: string }[];
      expect(env.map((v) => v.name).filter((v) => !declared.has(v))).toEqual([]);
      expect(env.map((v) => v.name).filter((v) => /SECRET|TOKEN|KEY/.test(v))).toEqual([]);
      expect(container.envFrom).toContainEqual({ secretRef: { name: `kubelabs-${name}` } });
      const port = Number(env.find((v) => v.name === 'HTTP_PORT')?.value);
      expect(container.ports[0].containerPort).toBe(port);
      expect(container.readinessProbe.httpGet.port).toBe('http');
    },
  );
});
