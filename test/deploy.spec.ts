// What an operator applies (deploy/) must work the day it is applied: a real API server accepts the manifests (schema,
// Pod Security admission, RBAC), each service gets exactly its access, Deployments set only variables the code reads,
// and the NATS, Prometheus and Compose files parse with their own tools.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { KubeApiError, KubeClient, type KubeObject } from '@kubelabs/kube';
import { cacheDir, laneVersions, repoRoot } from '@kubelabs/testing';

const run = promisify(execFile);
const deployDir = join(repoRoot, 'deploy');
const suffix = randomBytes(4).toString('hex');
const testNamespace = `kubelabs-deploy-${suffix}`;

type Manifest = KubeObject & {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, any>;

/** The manifests of a kustomize folder, in the order its kustomization.yaml lists them. */
function readKustomization(folder: string): { files: string[]; objects: Manifest[] } {
  const kustomization = parseYaml(readFileSync(join(deployDir, folder, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  const objects = kustomization.resources.flatMap((file) => readManifests(join(deployDir, folder, file)));
  return { files: kustomization.resources, objects };
}

function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    const object = doc.toJS() as Manifest | null;
    return object ? [object] : [];
  });
}

/**
 * The same object moved into this test's own names: the lane is shared with parallel tests, so the namespace and the
 * cluster-scoped RBAC objects get a random suffix.
 */
function isolate(object: Manifest): Manifest {
  const copy = structuredClone(object);
  if (copy.kind === 'Namespace') copy.metadata.name = testNamespace;
  else if (copy.kind === 'ClusterRole') copy.metadata.name = `${copy.metadata.name}-${suffix}`;
  else if (copy.kind === 'ClusterRoleBinding') {
    copy.metadata.name = `${copy.metadata.name}-${suffix}`;
    copy.roleRef.name = `${copy.roleRef.name}-${suffix}`;
    for (const subject of copy.subjects as { namespace?: string }[]) subject.namespace = testNamespace;
  } else if (copy.metadata.namespace) copy.metadata.namespace = testNamespace;
  return copy;
}

const platform = readKustomization('kubernetes');
const monitoring = readKustomization('monitoring');
const deployments = platform.objects.filter((o) => o.kind === 'Deployment');
const configMaps = new Map(
  platform.objects
    .filter((o) => o.kind === 'ConfigMap')
    .map((o) => [o.metadata.name, o.data as Record<string, string>]),
);

function containerOf(deployment: Manifest): Record<string, any> {
  return deployment.spec.template.spec.containers[0];
}

/** Which service a Deployment runs, from its command (`node dist/services/<name>/src/main.js`). */
function serviceOf(deployment: Manifest): string {
  const script = (containerOf(deployment).command as string[]).join(' ');
  const name = /dist\/services\/([a-z-]+)\/src\/main\.js/.exec(script)?.[1];
  if (!name) throw new Error(`${deployment.metadata.name}: command ${script} runs no service`);
  return name;
}

/** Every variable a Deployment's container receives: its env and the keys of the ConfigMaps it loads. */
function environmentOf(deployment: Manifest): Map<string, string | undefined> {
  const container = containerOf(deployment);
  const env = new Map<string, string | undefined>();
  for (const source of (container.envFrom ?? []) as { configMapRef?: { name: string } }[]) {
    const data = source.configMapRef ? configMaps.get(source.configMapRef.name) : undefined;
    if (!data) throw new Error(`${deployment.metadata.name}: envFrom names a ConfigMap that deploy/kubernetes lacks`);
    for (const [key, value] of Object.entries(data)) env.set(key, value);
  }
  for (const variable of (container.env ?? []) as { name: string; value?: string }[])
    env.set(variable.name, variable.value);
  return env;
}

/** The variables a service's config class declares: PlatformConfig's plus its own (config.ts, or inline in main.ts). */
function declaredVariables(service: string): Set<string> {
  const own = join(repoRoot, 'services', service, 'src', 'config.ts');
  const files = [
    join(repoRoot, 'libs/config/src/platform-config.ts'),
    existsSync(own) ? own : join(repoRoot, 'services', service, 'src', 'main.ts'),
  ];
  const names = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s+(?:override\s+)?([A-Z][A-Z0-9_]*)\??\s*:/gm)].map(
      (m) => m[1] as string,
    ),
  );
  return new Set(names);
}

describe('the Kubernetes manifests in deploy/kubernetes', () => {
  let kube: KubeClient;
  const applied: Manifest[] = [];

  beforeAll(async () => {
    kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'deploy-test' });
    // In kustomization order: the namespace and service accounts exist before what refers to them.
    for (const object of platform.objects.map(isolate)) applied.push((await kube.apply(object)) as Manifest);
  });

  afterAll(async () => {
    if (!kube) return;
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: testNamespace });
    for (const object of platform.objects.map(isolate).filter((o) => o.kind.startsWith('Cluster')))
      await kube.delete({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name });
    await kube.waitForNamespaceGone(testNamespace, { timeoutMs: 60_000 });
  });

  it('lists every manifest of the folder in kustomization.yaml', () => {
    const files = readdirSync(join(deployDir, 'kubernetes')).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect([...platform.files].sort()).toEqual(files.sort());
  });

  it('are all accepted by the API server under server-side apply', () => {
    expect(applied.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      platform.objects.map(isolate).map((o) => `${o.kind}/${o.metadata.name}`),
    );
    for (const object of applied) expect(object.metadata.uid, `${object.kind}/${object.metadata.name}`).toBeTruthy();
    expect(new Set(deployments.map(serviceOf))).toEqual(
      new Set(['claim-api', 'pool-manager', 'provisioner', 'netpol-enforcer', 'syncer', 'webhook-dispatcher']),
    );
  });

  it('runs every Deployment as pods that the restricted Pod Security Standard admits', async () => {
    const podFrom = (deployment: Manifest, spec: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${deployment.metadata.name}-admission`,
        namespace: testNamespace,
        labels: deployment.spec.template.metadata.labels,
      },
      spec,
    });
    // The lane has no scheduler: the pods stay Pending, which is enough for admission to have judged them.
    for (const deployment of deployments) {
      const pod = await kube.apply(podFrom(deployment, deployment.spec.template.spec) as KubeObject);
      expect(pod.metadata.uid).toBeTruthy();
    }
    // The control: the same pod without its security context is refused, so the namespace really enforces.
    const first = deployments[0] as Manifest;
    const { securityContext: _dropped, ...insecure } = first.spec.template.spec as Record<string, unknown>;
    const refused = kube.apply({
      ...podFrom(first, insecure),
      metadata: { name: 'insecure-admission', namespace: testNamespace },
    } as KubeObject);
    await expect(refused).rejects.toMatchObject({
      code: 'kube.forbidden',
      message: expect.stringContaining('violates PodSecurity'),
    });
  });

  // Resources as [group/]plural[/subresource]; namespaced ones are asked about in a tenant namespace, or in every
  // namespace (no namespace in the review) with `allNamespaces`.
  it.each(
    [
      { service: 'claim-api', verb: 'get', resource: 'secrets', name: 'tenant-kubeconfig', allowed: true },
      { service: 'claim-api', verb: 'get', resource: 'secrets', name: 'tenant-pki', allowed: false },
      { service: 'claim-api', verb: 'list', resource: 'secrets', allowed: false },
      { service: 'pool-manager', verb: 'list', resource: 'nodes', allowed: true },
      { service: 'pool-manager', verb: 'get', resource: 'secrets', name: 'tenant-kubeconfig', allowed: false },
      { service: 'provisioner', verb: 'create', resource: 'namespaces', allowed: true },
      { service: 'provisioner', verb: 'patch', resource: 'namespaces', allowed: true },
      { service: 'provisioner', verb: 'delete', resource: 'namespaces', allowed: true },
      { service: 'provisioner', verb: 'create', resource: 'secrets', allowed: true },
      { service: 'provisioner', verb: 'list', resource: 'secrets', allowed: false },
      { service: 'provisioner', verb: 'create', resource: 'kubevirt.io/virtualmachines', allowed: true },
      { service: 'provisioner', verb: 'get', resource: 'kubevirt.io/virtualmachines/status', allowed: true },
      { service: 'provisioner', verb: 'list', resource: 'kubevirt.io/virtualmachineinstances', allowed: true },
      { service: 'provisioner', verb: 'delete', resource: 'kubevirt.io/virtualmachines', allowed: false },
      { service: 'netpol-enforcer', verb: 'watch', resource: 'namespaces', allowed: true },
      { service: 'netpol-enforcer', verb: 'patch', resource: 'networking.k8s.io/networkpolicies', allowed: true },
      { service: 'netpol-enforcer', verb: 'create', resource: 'networking.k8s.io/networkpolicies', allowed: true },
      { service: 'netpol-enforcer', verb: 'delete', resource: 'networking.k8s.io/networkpolicies', allowed: true },
      { service: 'netpol-enforcer', verb: 'patch', resource: 'services', allowed: true },
      { service: 'netpol-enforcer', verb: 'delete', resource: 'services', allowed: true },
      { service: 'netpol-enforcer', verb: 'patch', resource: 'resourcequotas', allowed: true },
      { service: 'netpol-enforcer', verb: 'create', resource: 'limitranges', allowed: true },
      // The drift watches span every namespace.
      ...['networking.k8s.io/networkpolicies', 'services', 'resourcequotas', 'limitranges'].map((resource) => ({
        service: 'netpol-enforcer',
        verb: 'watch',
        resource,
        allNamespaces: true,
        allowed: true,
      })),
      { service: 'netpol-enforcer', verb: 'get', resource: 'secrets', name: 'tenant-kubeconfig', allowed: false },
      { service: 'netpol-enforcer', verb: 'list', resource: 'secrets', allowed: false },
      { service: 'netpol-enforcer', verb: 'delete', resource: 'namespaces', allowed: false },
      { service: 'netpol-enforcer', verb: 'create', resource: 'namespaces', allowed: false },
      { service: 'netpol-enforcer', verb: 'patch', resource: 'kubevirt.io/virtualmachines', allowed: false },
      { service: 'netpol-enforcer', verb: 'create', resource: 'pods', allowed: false },
      { service: 'syncer', verb: 'create', resource: 'networking.k8s.io/ingresses', allowed: true },
      { service: 'syncer', verb: 'get', resource: 'secrets', name: 'tenant-kubeconfig', allowed: true },
      { service: 'syncer', verb: 'create', resource: 'namespaces', allowed: false },
      { service: 'webhook-dispatcher', verb: 'get', resource: 'secrets', name: 'tenant-kubeconfig', allowed: false },
      { service: 'webhook-dispatcher', verb: 'list', resource: 'namespaces', allowed: false },
    ].map((c) => ({
      name: '',
      allNamespaces: false,
      ...c,
      what: `${c.verb} ${c.resource}${'name' in c ? ` named ${c.name}` : ''}${'allNamespaces' in c ? ' in every namespace' : ''}`,
    })),
  )('$service may $what: $allowed', async ({ service, verb, resource, name, allNamespaces, allowed }) => {
    const parts = resource.split('/');
    const group = parts[0]?.includes('.') ? (parts.shift() as string) : '';
    const [plural, subresource] = parts as [string, string?];
    const review = await kube.config.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${testNamespace}:${service}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${testNamespace}`, 'system:authenticated'],
          resourceAttributes: {
            verb,
            group,
            resource: plural,
            ...(subresource ? { subresource } : {}),
            ...(name ? { name } : {}),
            ...(plural === 'namespaces' || plural === 'nodes' || allNamespaces
              ? {}
              : { namespace: 'kubelabs-0123456789abcdef' }),
          },
        },
      },
    });
    expect(review.status?.allowed ?? false).toBe(allowed);
  });

  it.each(deployments.map((d) => [d.metadata.name, d] as const))(
    '%s sets only variables its config class declares',
    (_name, deployment) => {
      const declared = declaredVariables(serviceOf(deployment));
      expect(declared.has('NATS_URL') && declared.has('MONGO_URL')).toBe(true);
      expect([...environmentOf(deployment).keys()].filter((key) => !declared.has(key))).toEqual([]);
    },
  );

  it.each(deployments.map((d) => [d.metadata.name, d] as const))(
    '%s probes the port it listens on and outlives its shutdown grace',
    (_name, deployment) => {
      const env = environmentOf(deployment);
      const container = containerOf(deployment);
      const port = serviceOf(deployment) === 'claim-api' ? env.get('CLAIM_API_PORT') : env.get('HTTP_PORT');
      expect(container.ports.find((p: { name: string }) => p.name === 'http')?.containerPort).toBe(Number(port));
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
        expect(container[probe].httpGet.port).toBe('http');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
      const graceMs = Number(env.get('SHUTDOWN_GRACE_MS'));
      expect(graceMs).toBeGreaterThan(0);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopMs + graceMs);
    },
  );
});

describe('the monitoring manifests in deploy/monitoring', () => {
  const rules = monitoring.objects.filter((o) => o.kind === 'PrometheusRule');
  const alerts = rules.flatMap((r) => (r.spec.groups as { rules: Record<string, any>[] }[]).flatMap((g) => g.rules));

  it('are well-formed objects, applied wherever the Prometheus Operator CRDs are installed', async () => {
    expect(monitoring.objects.map((o) => o.kind).sort()).toEqual(['PodMonitor', 'PrometheusRule']);
    for (const object of monitoring.objects) {
      expect(object.apiVersion).toMatch(/^monitoring\.coreos\.com\/v1$/);
      expect(object.metadata.name).toMatch(/^[a-z0-9-]+$/);
    }
    const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'deploy-test' });
    const namespace = `kubelabs-monitoring-${suffix}`;
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    try {
      for (const object of monitoring.objects) {
        const served = await kube.list(object.apiVersion, object.kind, { namespace }).then(
          () => true,
          (error: unknown) =>
            error instanceof KubeApiError && error.code === 'kube.not_found' ? false : Promise.reject(error),
        );
        // The lane has no Prometheus Operator; a cluster given through KUBECONFIG may.
        if (served)
          expect(
            (await kube.apply({ ...object, metadata: { ...object.metadata, namespace } })).metadata.uid,
          ).toBeTruthy();
      }
    } finally {
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    }
  });

  it.each(alerts.map((a) => [a.alert as string, a] as const))(
    'alert %s parses as PromQL, names exported metrics and says why',
    (_name, alert) => {
      const expr = alert.expr as string;
      const errors: number[] = [];
      promqlParser.parse(expr).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
      expect(errors, `syntax errors at ${errors.join(', ')} in ${expr}`).toEqual([]);
      expect(['warning', 'critical']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toBeTruthy();
      for (const [metric] of expr.matchAll(/\bkubelabs_[a-z0-9_]+/g))
        expect(exportedMetricNames(), metric).toContain(metric);
    },
  );
});

let metricNames: Set<string> | undefined;
/** Metric names the code registers: every 'kubelabs_...' string literal in services/ and libs/. */
function exportedMetricNames(): Set<string> {
  if (metricNames) return metricNames;
  const files = ['services', 'libs'].flatMap((dir) =>
    (readdirSync(join(repoRoot, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => join(repoRoot, dir, f)),
  );
  metricNames = new Set(
    files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/'(kubelabs_[a-z0-9_]+)'/g)].map((m) => m[1] as string),
    ),
  );
  return metricNames;
}

describe('the NATS server configuration in deploy/nats', () => {
  const confPath = join(deployDir, 'nats/nats-server.conf');
  const natsServer = join(cacheDir(), 'bin', `nats-server-${laneVersions.nats}`);

  it('fsyncs every JetStream write before acknowledging it and clusters three servers', () => {
    const active = readFileSync(confPath, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*#/.test(line))
      .join('\n');
    expect(active).toMatch(/^\s*sync_interval:\s*always\s*$/m);
    expect(active.match(/nats:\/\/nats-\d\.[^\s]+:6222/g)).toHaveLength(3);
  });

  it.skipIf(!existsSync(natsServer))('is accepted by nats-server -t', async () => {
    const { stderr } = await run(natsServer, ['-c', confPath, '-t'], {
      env: { ...process.env, SERVER_NAME: 'nats-0' },
    });
    expect(stderr).toContain('is valid');
  });
});

describe('docker-compose.yml', () => {
  // Built by scripts/lane/build-compose.sh (about a minute cold); the test never builds it.
  const compose = join(cacheDir(), 'bin', `docker-compose-${process.env.COMPOSE_VERSION ?? 'v5.6.0'}`);

  it.skipIf(!existsSync(compose))('is a valid Compose file for `docker compose config`', async () => {
    const { stdout, stderr } = await run(compose, ['-f', join(repoRoot, 'docker-compose.yml'), 'config', '--quiet'], {
      cwd: repoRoot,
    });
    expect(`${stdout}${stderr}`).toBe('');
    // The control: the same tool refuses a file that breaks the Compose specification.
    const dir = mkdtempSync(join(tmpdir(), 'kubelabs-compose-'));
    writeFileSync(
      join(dir, 'compose.yml'),
      'services:\n  api:\n    image: x\n    restart: sometimes\n    portz: [80]\n',
    );
    await expect(
      run(compose, ['-f', join(dir, 'compose.yml'), 'config', '--quiet'], { cwd: dir }),
    ).rejects.toMatchObject({ code: 1 });
  });
});
