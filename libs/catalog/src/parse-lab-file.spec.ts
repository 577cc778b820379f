import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bandwidthPattern, labCheckKinds, type Lab, type LabLevel } from '@kubelabs/domain';
import { formatCatalogErrors, labSchemaPath, parseLabFile, type CatalogError } from './index';

function validLab(): Record<string, any> {
  return {
    id: 'demo',
    title: 'Demo lab',
    description: 'Fix the thing.',
    level: 'beginner',
    hints: ['Look around first.'],
    tags: ['demo'],
    kubernetesVersions: ['1.34', '1.35'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 1, cpu: 1, memoryMiB: 1024 } },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    setup: { controlPlane: 'echo control plane\n', workers: 'echo worker\n' },
    session: { durationMinutes: 60, maxExtensionMinutes: 30, extensionStepMinutes: 20 },
    pool: { minReady: 1, maxTotal: 4 },
  };
}

function errorsOf(file: string, text: string): CatalogError[] {
  const result = parseLabFile(file, text);
  if ('lab' in result) throw new Error(`expected errors, got a lab`);
  return result.errors;
}

describe('parseLabFile', () => {
  it('turns a valid file into a Lab, filling empty hints, tags, setup and the extension step when left out', () => {
    const { hints: _h, tags: _t, setup: _s, image: _i, ...minimal } = validLab();
    minimal.session = { durationMinutes: 60, maxExtensionMinutes: 30 };
    const result = parseLabFile('deploy/catalog/demo.yaml', stringify(minimal));
    expect(result).toEqual({
      lab: { ...minimal, hints: [], tags: [], setup: {}, session: { ...minimal.session, extensionStepMinutes: 15 } },
    });
  });

  it('keeps a lab’s own node image, which overrides the platform’s; without one the lab has none', () => {
    const withImage = parseLabFile('deploy/catalog/demo.yaml', stringify(validLab()));
    expect('lab' in withImage && withImage.lab.image).toBe('quay.io/kubelabs/ubuntu-kubeadm:{version}');
    const { image: _i, ...withoutImage } = validLab();
    const parsed = parseLabFile('deploy/catalog/demo.yaml', stringify(withoutImage));
    expect('lab' in parsed && 'image' in parsed.lab).toBe(false);
  });

  it.each([
    { name: 'both directions', network: { ingressBandwidth: '200M', egressBandwidth: '50M' } },
    { name: 'one direction', network: { egressBandwidth: '1.5G' } },
    { name: 'the smallest and largest rates', network: { ingressBandwidth: '1k', egressBandwidth: '1P' } },
    { name: 'a binary suffix', network: { ingressBandwidth: '512Mi' } },
  ])('keeps per-lab bandwidth overrides for $name as written', ({ network }) => {
    const result = parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), network }));
    expect(result).toEqual({ lab: { ...validLab(), network } });
  });

  it.each([
    {
      name: 'every margin',
      quota: { headroomPercent: 20, extraPods: 8, defaultContainerRequest: { cpuMillis: 100, memoryMiB: 128 } },
    },
    { name: 'a zero headroom (an override, not a missing value)', quota: { headroomPercent: 0 } },
    { name: 'one default request field', quota: { defaultContainerRequest: { memoryMiB: 256 } } },
  ])('keeps per-lab quota overrides for $name as written', ({ quota }) => {
    const result = parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), quota }));
    expect(result).toEqual({ lab: { ...validLab(), quota } });
  });

  it('reads an empty quota block as no override', () => {
    const result = parseLabFile(
      'deploy/catalog/demo.yaml',
      stringify({ ...validLab(), quota: { defaultContainerRequest: {} } }),
    );
    expect(result).toEqual({ lab: validLab() });
  });

  it('keeps per-lab exposure limits as written, and refuses ports outside 1-65535', () => {
    const exposure = { services: 2, ingresses: 1, ports: '80,443,8000-8999' };
    expect(parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), exposure }))).toEqual({
      lab: { ...validLab(), exposure },
    });
    const bad = parseLabFile(
      'deploy/catalog/demo.yaml',
      stringify({ ...validLab(), exposure: { ports: '80,9000-8000' } }),
    ) as { errors: { path: string; message: string }[] };
    expect(bad.errors.map((e) => e.path)).toEqual(['/exposure/ports']);
    expect(bad.errors[0]!.message).toContain('run upwards');
  });

  it('reads an empty network block as no override', () => {
    const result = parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), network: {} }));
    expect(result).toEqual({ lab: validLab() });
    expect((result as { lab: Lab }).lab).not.toHaveProperty('network');
  });

  it.each<{ name: string; change: (lab: Record<string, any>) => void; path: string; message: string; file?: string }>([
    { name: 'a missing required field', change: (l) => delete l.title, path: '/title', message: 'is required' },
    {
      name: 'a missing nested field',
      change: (l) => delete l.session.durationMinutes,
      path: '/session/durationMinutes',
      message: 'is required',
    },
    {
      name: 'a misspelt field, with a suggestion',
      change: (l) => (l.pool = { minReadt: 1, minReady: 1, maxTotal: 4 }),
      path: '/pool/minReadt',
      message: 'is not a known field (did you mean minReady?)',
    },
    {
      name: 'an unknown top-level field',
      change: (l) => (l.owner = 'ops'),
      path: '/owner',
      message: 'is not a known field',
    },
    {
      name: 'too many workers',
      change: (l) => (l.topology.workers.count = 6),
      path: '/topology/workers/count',
      message: 'must be <= 5, got 6',
    },
    {
      name: 'a control plane without CPU',
      change: (l) => (l.topology.controlPlane.cpu = 0),
      path: '/topology/controlPlane/cpu',
      message: 'must be >= 1, got 0',
    },
    {
      name: 'more than 8 vCPUs',
      change: (l) => (l.topology.workers.cpu = 9),
      path: '/topology/workers/cpu',
      message: 'must be <= 8, got 9',
    },
    {
      name: 'too little memory',
      change: (l) => (l.topology.workers.memoryMiB = 256),
      path: '/topology/workers/memoryMiB',
      message: 'must be >= 512, got 256',
    },
    {
      name: 'too much memory',
      change: (l) => (l.topology.controlPlane.memoryMiB = 20000),
      path: '/topology/controlPlane/memoryMiB',
      message: 'must be <= 16384, got 20000',
    },
    {
      name: 'fractional CPUs',
      change: (l) => (l.topology.controlPlane.cpu = 1.5),
      path: '/topology/controlPlane/cpu',
      message: 'must be an integer, got 1.5',
    },
    {
      name: 'a session too short',
      change: (l) => (l.session.durationMinutes = 2),
      path: '/session/durationMinutes',
      message: 'must be >= 5, got 2',
    },
    {
      name: 'a session too long',
      change: (l) => (l.session.durationMinutes = 600),
      path: '/session/durationMinutes',
      message: 'must be <= 480, got 600',
    },
    {
      name: 'a negative extension',
      change: (l) => (l.session.maxExtensionMinutes = -5),
      path: '/session/maxExtensionMinutes',
      message: 'must be >= 0, got -5',
    },
    {
      name: 'a negative minReady',
      change: (l) => (l.pool.minReady = -1),
      path: '/pool/minReady',
      message: 'must be >= 0, got -1',
    },
    {
      name: 'an unknown level',
      change: (l) => (l.level = 'expert'),
      path: '/level',
      message: 'must be one of beginner, intermediate, advanced, got "expert"',
    },
    {
      name: 'a malformed version',
      change: (l) => (l.kubernetesVersions = ['1.34', '2.0']),
      path: '/kubernetesVersions/1',
      message: `must be a Kubernetes minor version such as '1.36', got "2.0"`,
    },
    {
      name: 'no version at all',
      change: (l) => (l.kubernetesVersions = []),
      path: '/kubernetesVersions',
      message: 'must NOT have fewer than 1 items',
    },
    {
      name: 'a version offered twice',
      change: (l) => (l.kubernetesVersions = ['1.34', '1.34']),
      path: '/kubernetesVersions',
      message: 'must not list "1.34" twice',
    },
    {
      name: 'an id that is not a slug',
      file: 'deploy/catalog/Demo_Lab.yaml',
      change: (l) => (l.id = 'Demo_Lab'),
      path: '/id',
      message: 'must be a slug of 1 to 48 lowercase letters, digits or inner hyphens, got "Demo_Lab"',
    },
    {
      name: 'an id that differs from the file name',
      change: (l) => (l.id = 'other'),
      path: '/id',
      message: 'must equal the file name without .yaml ("demo"), got "other"',
    },
    {
      name: 'an image without the {version} placeholder',
      change: (l) => (l.image = 'quay.io/kubelabs/ubuntu-kubeadm:1.34'),
      path: '/image',
      message:
        'must be an image reference containing {version}, e.g. quay.io/kubelabs/ubuntu-kubeadm:{version}, got "quay.io/kubelabs/ubuntu-kubeadm:1.34"',
    },
    {
      name: 'an upper-case tag',
      change: (l) => (l.tags = ['DNS']),
      path: '/tags/0',
      message: 'must be 1 to 32 lowercase letters, digits or hyphens, got "DNS"',
    },
    {
      name: 'hints that are not a list',
      change: (l) => (l.hints = 'look around'),
      path: '/hints',
      message: 'must be an array, got "look around"',
    },
    {
      name: 'an empty setup script',
      change: (l) => (l.setup.workers = ''),
      path: '/setup/workers',
      message: 'must NOT have fewer than 1 characters',
    },
    {
      name: 'maxTotal below minReady',
      change: (l) => (l.pool = { minReady: 2, maxTotal: 1 }),
      path: '/pool/maxTotal',
      message: 'must be >= 2 (minReady)',
    },
    {
      name: 'a per-version maxTotal below its minReady',
      change: (l) => (l.pool.perVersion = { '1.35': { minReady: 3, maxTotal: 2 } }),
      path: '/pool/perVersion/1.35/maxTotal',
      message: 'must be >= 3 (minReady)',
    },
    {
      name: 'a per-version override for a version not offered',
      change: (l) => (l.pool.perVersion = { '1.33': { minReady: 1, maxTotal: 2 } }),
      path: '/pool/perVersion/1.33',
      message: 'is not an offered version (kubernetesVersions: 1.34, 1.35)',
    },
    {
      name: 'a per-version override missing maxTotal',
      change: (l) => (l.pool.perVersion = { '1.35': { minReady: 1 } }),
      path: '/pool/perVersion/1.35/maxTotal',
      message: 'is required',
    },
    {
      name: 'a setup script for workers the lab does not have',
      change: (l) => (l.topology.workers.count = 0),
      path: '/setup/workers',
      message: 'is given but the lab has no workers (topology.workers.count is 0)',
    },
    {
      name: 'a bandwidth that is no quantity',
      change: (l) => (l.network = { ingressBandwidth: '100 Mbit/s' }),
      path: '/network/ingressBandwidth',
      message:
        'must be a quantity in bits per second such as 100M (a number with k, M, G, T, P or Ki ... Pi), got "100 Mbit/s"',
    },
    {
      name: 'a bandwidth with a suffix Kubernetes does not know',
      change: (l) => (l.network = { egressBandwidth: '100K' }),
      path: '/network/egressBandwidth',
      message:
        'must be a quantity in bits per second such as 100M (a number with k, M, G, T, P or Ki ... Pi), got "100K"',
    },
    {
      name: 'a bandwidth the container runtime would refuse as too small',
      change: (l) => (l.network = { egressBandwidth: '0.5k' }),
      path: '/network/egressBandwidth',
      message: 'must be at least 1k (1 kbit/s), got "0.5k"',
    },
    {
      name: 'a bandwidth the container runtime would refuse as too large',
      change: (l) => (l.network = { ingressBandwidth: '2P' }),
      path: '/network/ingressBandwidth',
      message: 'must be at most 1P (1 Pbit/s), got "2P"',
    },
    {
      name: 'a bandwidth given as a YAML number',
      change: (l) => (l.network = { ingressBandwidth: 1000000 }),
      path: '/network/ingressBandwidth',
      message: 'must be a string, got 1000000',
    },
    {
      name: 'a quota headroom above the setting bound',
      change: (l) => (l.quota = { headroomPercent: 150 }),
      path: '/quota/headroomPercent',
      message: 'must be <= 100, got 150',
    },
    {
      name: 'a misspelt quota field',
      change: (l) => (l.quota = { extraPod: 3 }),
      path: '/quota/extraPod',
      message: 'is not a known field (did you mean extraPods?)',
    },
    {
      name: 'a misspelt bandwidth field',
      change: (l) => (l.network = { ingresBandwidth: '10M' }),
      path: '/network/ingresBandwidth',
      message: 'is not a known field (did you mean ingressBandwidth?)',
    },
  ])('reports $name', ({ change, path, message, file }) => {
    const lab = validLab();
    change(lab);
    const name = file ?? 'deploy/catalog/demo.yaml';
    expect(errorsOf(name, stringify(lab))).toEqual([expect.objectContaining({ file: name, path, message })]);
  });

  it.each([
    {
      name: 'an unquoted version that YAML reads as a number',
      yaml: (text: string) => text.replace(`- "1.35"`, '- 1.30'),
      path: '/kubernetesVersions/1',
      message: 'must be a quoted string: YAML reads an unquoted version as the number 1.3',
    },
    {
      name: 'an unquoted per-version key that YAML reads as a number',
      yaml: (text: string) => `${text}  perVersion:\n    1.30: { minReady: 1, maxTotal: 2 }\n`,
      path: '/pool/perVersion/1.3',
      message: `key must be a Kubernetes minor version such as '1.36' (quote versions in YAML: '1.30', not 1.30)`,
    },
  ])('explains $name', ({ yaml, path, message }) => {
    const text = yaml(stringify(validLab(), { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }));
    const errors = errorsOf('deploy/catalog/demo.yaml', text);
    expect(errors).toContainEqual(expect.objectContaining({ path, message }));
  });

  it.each([
    { name: 'a syntax error', text: 'id: demo\ntitle: [unclosed\nlevel: beginner\n', line: 3, message: /^YAML: / },
    {
      name: 'a duplicated key',
      text: 'id: demo\ntitle: A\ntitle: B\n',
      line: 3,
      message: /^YAML: Map keys must be unique/,
    },
    {
      name: 'two documents in one file',
      text: 'id: demo\n---\nid: other\n',
      line: 2,
      message: /more than one YAML document/,
    },
  ])('reports $name with its line', ({ text, line, message }) => {
    const errors = errorsOf('deploy/catalog/demo.yaml', text);
    expect(errors[0]).toMatchObject({ file: 'deploy/catalog/demo.yaml', path: '', line });
    expect(errors[0]!.message).toMatch(message);
  });

  it('rejects a file that does not hold a mapping', () => {
    expect(errorsOf('deploy/catalog/demo.yaml', '- id: demo\n')).toEqual([
      expect.objectContaining({ path: '', message: 'must be a YAML mapping holding one lab', line: 1 }),
    ]);
    expect(errorsOf('deploy/catalog/demo.yaml', '')).toEqual([
      expect.objectContaining({ path: '', message: 'must be a YAML mapping holding one lab' }),
    ]);
  });

  it('reports every error of one file, each at its line, in line order', () => {
    const text = [
      'id: wrong-name', //                    1
      'title: Demo', //                       2
      'level: expert', //                     3
      "kubernetesVersions: ['1.34']", //      4
      'topology:', //                         5
      '  controlPlane: { cpu: 0, memoryMiB: 1536 }', // 6
      '  workers: { count: 0, cpu: 1, memoryMiB: 1024, disk: 10 }', // 7
      'image: quay.io/kubelabs/ubuntu-kubeadm:{version}', // 8
      'setup:', //                            9
      '  workers: echo hi', //                10
      'session: { durationMinutes: 60 }', //  11
      'pool:', //                             12
      '  minReady: 2', //                     13
      '  maxTotal: 1', //                     14
      "  perVersion: { '1.36': { minReady: 0, maxTotal: 1 } }", // 15
      '',
    ].join('\n');
    const errors = errorsOf('deploy/catalog/demo.yaml', text);
    expect(formatCatalogErrors(errors)).toEqual([
      'deploy/catalog/demo.yaml:1: /description is required',
      'deploy/catalog/demo.yaml:1: /id must equal the file name without .yaml ("demo"), got "wrong-name"',
      'deploy/catalog/demo.yaml:3: /level must be one of beginner, intermediate, advanced, got "expert"',
      'deploy/catalog/demo.yaml:6: /topology/controlPlane/cpu must be >= 1, got 0',
      'deploy/catalog/demo.yaml:7: /topology/workers/disk is not a known field',
      'deploy/catalog/demo.yaml:10: /setup/workers is given but the lab has no workers (topology.workers.count is 0)',
      'deploy/catalog/demo.yaml:11: /session/maxExtensionMinutes is required',
      'deploy/catalog/demo.yaml:14: /pool/maxTotal must be >= 2 (minReady)',
      'deploy/catalog/demo.yaml:15: /pool/perVersion/1.36 is not an offered version (kubernetesVersions: 1.34)',
    ]);
  });
});

describe('parseLabFile: checks', () => {
  const checks = {
    readiness: [
      { kind: 'node', role: 'worker', state: 'NotReady' },
      { kind: 'pod-logs', namespace: 'shop', selector: 'app=frontend', contains: 'FAILED' },
    ],
    solution: [
      { kind: 'node', state: 'Ready', title: 'every node is Ready', hint: 'systemctl status kubelet' },
      { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 2, title: 'web runs', hint: 'look' },
      { kind: 'service-endpoints', namespace: 'shop', service: 'api', title: 'api has endpoints', hint: 'selector' },
      { kind: 'http', nodePort: 30080, contains: 'Welcome', title: 'it answers', hint: 'targetPort' },
      { kind: 'ssh', node: 'node01', script: 'systemctl is-enabled kubelet', title: 'kubelet on boot', hint: 'enable' },
    ],
  };

  it('keeps declared checks as written (defaults filled) and leaves out empty lists', () => {
    const parsed = parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), checks }));
    expect(parsed).toHaveProperty('lab');
    const lab = (parsed as { lab: Lab }).lab;
    expect(lab.checks?.readiness).toEqual([checks.readiness[0], { ...checks.readiness[1], tailLines: 100 }]);
    expect(lab.checks?.solution?.map((c) => c.kind)).toEqual(['node', 'workload', 'service-endpoints', 'http', 'ssh']);
    expect(lab.checks?.solution?.[3]).toMatchObject({ path: '/', status: 200 });
    expect(lab.checks?.solution?.[4]).toMatchObject({ timeoutSeconds: 10 });
    const empty = parseLabFile('deploy/catalog/demo.yaml', stringify({ ...validLab(), checks: { readiness: [] } }));
    expect((empty as { lab: Lab }).lab).not.toHaveProperty('checks');
  });

  it.each([
    {
      name: 'an unknown kind',
      check: { kind: 'dns', title: 't', hint: 'h' },
      error: '/checks/solution/0/kind must be one of node, workload, service-endpoints, pod-logs, http, ssh, got "dns"',
    },
    {
      name: 'a solution check without its hint',
      check: { kind: 'node', state: 'Ready', title: 't' },
      error: '/checks/solution/0/hint is required',
    },
    {
      name: 'a field of another kind',
      check: { kind: 'node', state: 'Ready', title: 't', hint: 'h', nodePort: 30080 },
      error: '/checks/solution/0/nodePort is not a known field',
    },
    {
      name: 'a node the tenants do not have',
      check: { kind: 'node', node: 'node02', state: 'Ready', title: 't', hint: 'h' },
      error: "/checks/solution/0/node names a node the lab's tenants do not have (they have controlplane, node01)",
    },
    {
      name: 'a node port outside the range',
      check: { kind: 'http', nodePort: 8080, title: 't', hint: 'h' },
      error: '/checks/solution/0/nodePort must be >= 30000, got 8080',
    },
    {
      name: 'a script that may run for ever',
      check: { kind: 'ssh', script: 'sleep infinity', timeoutSeconds: 3600, title: 't', hint: 'h' },
      error: '/checks/solution/0/timeoutSeconds must be <= 60, got 3600',
    },
    {
      name: 'a malformed label selector',
      check: { kind: 'pod-logs', namespace: 'a', selector: 'app in (web', contains: 'x', title: 't', hint: 'h' },
      error:
        '/checks/solution/0/selector must be a label selector such as app=frontend or app=web,tier!=cache, got "app in (web"',
    },
  ])('refuses $name with its file and path', ({ check, error }) => {
    const errors = errorsOf('deploy/catalog/demo.yaml', stringify({ ...validLab(), checks: { solution: [check] } }));
    expect(formatCatalogErrors(errors).map((line) => line.replace(/^deploy\/catalog\/demo\.yaml:\d+: /, ''))).toContain(
      error,
    );
    expect(errors.every((e) => e.file === 'deploy/catalog/demo.yaml' && e.line !== undefined)).toBe(true);
  });

  it('refuses a worker check on a lab without workers', () => {
    const lab = {
      ...validLab(),
      setup: {},
      topology: { ...validLab().topology, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
    };
    const errors = errorsOf(
      'deploy/catalog/demo.yaml',
      stringify({ ...lab, checks: { readiness: [{ kind: 'node', role: 'worker', state: 'Ready' }] } }),
    );
    expect(errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      '/checks/readiness/0/role selects the workers but the lab has none (topology.workers.count is 0)',
    ]);
  });
});

describe('contracts/lab.schema.json', () => {
  const schema = JSON.parse(readFileSync(labSchemaPath(), 'utf8'));

  it('names exactly the fields of the Lab type and requires all but the defaulted and optional ones', () => {
    const fields: Record<keyof Lab, true> = {
      id: true,
      title: true,
      description: true,
      level: true,
      hints: true,
      tags: true,
      kubernetesVersions: true,
      topology: true,
      image: true,
      setup: true,
      session: true,
      pool: true,
      network: true,
      quota: true,
      exposure: true,
      checks: true,
    };
    // Optional in the Lab type too: absent means "the platform's defaults".
    const optional = ['image', 'network', 'quota', 'exposure', 'checks'];
    expect(Object.keys(schema.properties).toSorted()).toEqual(Object.keys(fields).toSorted());
    const defaulted = Object.keys(schema.properties).filter((key) => 'default' in schema.properties[key]);
    expect([...schema.required, ...defaulted, ...optional].toSorted()).toEqual(Object.keys(fields).toSorted());
  });

  it('offers exactly the check kinds the platform evaluates', () => {
    expect(schema.$defs.check.properties.kind.enum).toEqual([...labCheckKinds]);
    expect(
      schema.$defs.check.allOf.map(
        (branch: { if: { properties: { kind: { const: string } } } }) => branch.if.properties.kind.const,
      ),
    ).toEqual([...labCheckKinds]);
  });

  it('describes bandwidth with the pattern the platform checks it by', () => {
    expect(schema.$defs.bandwidth.pattern).toBe(bandwidthPattern.source);
  });

  it('offers exactly the levels of the LabLevel type', () => {
    const levels: Record<LabLevel, true> = { beginner: true, intermediate: true, advanced: true };
    expect(schema.properties.level.enum).toEqual(Object.keys(levels));
  });

  it('uses the same id and version patterns as the event contracts', () => {
    const common = JSON.parse(readFileSync(labSchemaPath().replace('lab.schema.json', 'common.schema.json'), 'utf8'));
    expect(schema.$defs.labId.pattern).toBe(common.definitions.labId.pattern);
    expect(schema.$defs.kubernetesVersion.pattern).toBe(common.definitions.kubernetesVersion.pattern);
  });

  it('accepts its own example', () => {
    const [example] = schema.examples;
    expect(parseLabFile(`deploy/catalog/${example.id}.yaml`, JSON.stringify(example))).toHaveProperty('lab');
  });
});
