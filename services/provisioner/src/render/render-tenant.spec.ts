// Table tests for renderTenant and the cloud-init it generates: ownership, secrecy, shape, names, determinism, errors.
import { isDomainError, tenantNamespace, type DomainErrorCode, type Lab } from '@kubelabs/domain';
import { execFileSync } from 'node:child_process';
import { repoRoot } from '@kubelabs/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { TenantCredentials } from '@kubelabs/domain';
import { planTenantCredentials } from '../credentials';
import {
  bootstrapMarkers,
  isDnsLabel,
  renderSshAuthorizedKeysSecret,
  renderTenant,
  type KubernetesObject,
  type RenderTenantOptions,
} from './index';
import { makeLab, makeTenant, studentKey } from './render-tenant.fixtures';

type Json = Record<string, any>;

const now = new Date('2026-11-20T10:00:00.000Z');
let credentials: TenantCredentials;
beforeAll(async () => {
  credentials = await planTenantCredentials({ now });
});

function render(lab: Lab, options: RenderTenantOptions = {}, tenantOverrides = {}): KubernetesObject[] {
  return renderTenant(lab, makeTenant(lab, tenantOverrides), { credentials, options });
}
const ofKind = (objects: KubernetesObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as Json[];
const userDataOf = (objects: KubernetesObject[], vmName: string): string => {
  const secret = ofKind(objects, 'Secret').find((object) => object.metadata.name === `${vmName}-cloudinit`)!;
  return Buffer.from(secret.data.userdata, 'base64').toString('utf8');
};
const cloudConfigOf = (objects: KubernetesObject[], vmName: string): Json => parse(userDataOf(objects, vmName));
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const fileOf = (cloudConfig: Json, path: string): string | undefined =>
  cloudConfig.write_files.find((file: Json) => file.path === path)?.content;

const shapes = [
  { name: 'a single-node lab', workers: 0 },
  { name: 'a one-worker lab', workers: 1 },
  { name: 'a three-worker lab', workers: 3 },
];

describe('renderTenant', () => {
  it.each(shapes)('labels every object of $name with its owner, tenant, lab and version', ({ workers }) => {
    const lab = makeLab({ workers });
    for (const object of render(lab)) {
      expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
        'app.kubernetes.io/managed-by': 'kubelabs',
        'kubelabs.io/tenant': 't-cka-basics-7f3k2',
        'kubelabs.io/lab': 'cka-basics',
        'kubelabs.io/kubernetes-version': '1.36',
      });
    }
  });

  it.each(shapes)('puts every namespaced object of $name in the tenant namespace', ({ workers }) => {
    const objects = render(makeLab({ workers }));
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'kubelabs-t-cka-basics-7f3k2' } });
    for (const object of objects.slice(1)) expect(object.metadata.namespace).toBe('kubelabs-t-cka-basics-7f3k2');
  });

  it.each(shapes)('renders one VM and one cloud-init Secret per node for $name', ({ workers }) => {
    const objects = render(makeLab({ workers }));
    const names = ofKind(objects, 'VirtualMachine').map((vm) => vm.metadata.name);
    expect(names).toEqual([
      't-cka-basics-7f3k2-cp',
      ...Array.from({ length: workers }, (_, i) => `t-cka-basics-7f3k2-w${i + 1}`),
    ]);
    const secrets = ofKind(objects, 'Secret').map((secret) => secret.metadata.name);
    expect(secrets).toEqual(['tenant-pki', 'ssh-authorized-keys', ...names.map((name) => `${name}-cloudinit`)]);
    expect(ofKind(objects, 'Service').map((service) => service.metadata.name)).toEqual(['kube-api', 'ssh']);
  });

  it.each(shapes)('keeps secret material of $name out of every object but Secrets', ({ workers }) => {
    const lab = makeLab({ workers, setup: { controlPlane: 'rm /etc/kubernetes/manifests/kube-scheduler.yaml' } });
    const objects = renderTenant(lab, makeTenant(lab), { credentials, sshAuthorizedKeys: [studentKey] });
    const tokenSecret = credentials.bootstrapToken.split('.')[1]!;
    const secrets = [
      credentials.caKeyPem,
      credentials.adminKeyPem,
      credentials.sshHostKey!.privateKeyPem,
      tokenSecret,
      'PRIVATE KEY',
      ...[credentials.caKeyPem, credentials.adminKeyPem, credentials.bootstrapToken].map((value) =>
        Buffer.from(value).toString('base64').slice(0, 40),
      ),
    ];
    for (const object of objects.filter((candidate) => candidate.kind !== 'Secret')) {
      const text = JSON.stringify(object);
      for (const secret of secrets) expect(text, `${object.kind}/${object.metadata.name}`).not.toContain(secret);
      expect(text).not.toContain('BEGIN ');
      expect(text).not.toContain('kube-scheduler.yaml');
    }
  });

  it.each(shapes)('gives the VMs of $name only references to Secrets, never inline user data', ({ workers }) => {
    for (const vm of ofKind(render(makeLab({ workers })), 'VirtualMachine')) {
      const spec = vm.spec.template.spec;
      const cloudInit = spec.volumes.find((volume: Json) => volume.cloudInitNoCloud).cloudInitNoCloud;
      expect(cloudInit).toEqual({ secretRef: { name: `${vm.metadata.name}-cloudinit` } });
      expect(spec.accessCredentials).toEqual([
        {
          sshPublicKey: {
            source: { secret: { secretName: 'ssh-authorized-keys' } },
            propagationMethod: { qemuGuestAgent: { users: ['student'] } },
          },
        },
      ]);
    }
  });

  it.each([
    {
      case: 'the lab’s own image',
      image: 'registry.example/kubelabs/node:{version}',
      nodeImage: undefined,
      version: '1.36',
      expected: 'registry.example/kubelabs/node:1.36',
    },
    {
      case: 'the lab’s own image, over the platform’s',
      image: 'registry.example/kubelabs/node:{version}',
      nodeImage: 'ops.example/node:{version}',
      version: '1.35',
      expected: 'registry.example/kubelabs/node:1.35',
    },
    {
      case: 'the lab’s own image, placeholder inside the tag',
      image: 'registry.example/node:v{version}-lab',
      nodeImage: undefined,
      version: '1.30',
      expected: 'registry.example/node:v1.30-lab',
    },
    {
      case: 'the platform’s image (NODE_IMAGE)',
      image: undefined,
      nodeImage: 'ops.example/kubelabs/node:{version}',
      version: '1.35',
      expected: 'ops.example/kubelabs/node:1.35',
    },
    {
      case: 'the platform’s default image, which deploy/images builds',
      image: undefined,
      nodeImage: undefined,
      version: '1.36',
      expected: 'quay.io/kubelabs/ubuntu-kubeadm:1.36',
    },
  ])('boots $case as $expected for Kubernetes $version', ({ image, nodeImage, version, expected }) => {
    const { image: _fixtureImage, ...labWithoutImage } = makeLab({ workers: 2 });
    const lab = image === undefined ? labWithoutImage : { ...labWithoutImage, image };
    const objects = render(lab, nodeImage === undefined ? {} : { nodeImage }, { kubernetesVersion: version });
    for (const vm of ofKind(objects, 'VirtualMachine')) {
      const disk = vm.spec.template.spec.volumes.find((volume: Json) => volume.containerDisk).containerDisk;
      expect(disk).toEqual({ image: expected, imagePullPolicy: 'IfNotPresent' });
    }
  });

  it('sizes each VM from the lab topology', () => {
    const lab = makeLab({ workers: 2 });
    lab.topology = { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 2, cpu: 1, memoryMiB: 1024 } };
    const domains = ofKind(render(lab), 'VirtualMachine').map((vm) => vm.spec.template.spec.domain);
    expect(domains.map((domain) => [domain.cpu, domain.memory])).toEqual([
      [{ cores: 2 }, { guest: '1536Mi' }],
      [{ cores: 1 }, { guest: '1024Mi' }],
      [{ cores: 1 }, { guest: '1024Mi' }],
    ]);
  });

  it.each([
    { name: 'a typical tenant id', tenantId: 't-cka-basics-7f3k2' },
    { name: 'the longest contract tenant id', tenantId: `t-${'a'.repeat(40)}` },
    { name: 'a tenant id filling the namespace', tenantId: `t-${'b'.repeat(52)}` },
  ])('keeps every name a DNS-1123 label of at most 63 characters for $name', ({ tenantId }) => {
    const objects = render(makeLab({ workers: 12 }), {}, { id: tenantId });
    const names = new Set<string>();
    for (const object of objects) {
      const references: string[] = [object.metadata.name];
      if (object.kind === 'VirtualMachine') {
        const spec = (object as Json).spec.template.spec;
        references.push(spec.hostname, ...spec.volumes.flatMap((v: Json) => v.cloudInitNoCloud?.secretRef?.name ?? []));
      }
      for (const name of references) expect(isDnsLabel(name), name).toBe(true);
      names.add(`${object.kind}/${object.metadata.name}`);
    }
    expect(names.size).toBe(objects.length);
  });

  it('renders the same objects for the same inputs, so server-side apply stays a no-op', () => {
    const lab = makeLab({ workers: 3, setup: { controlPlane: 'echo cp', workers: 'echo worker' } });
    const first = renderTenant(lab, makeTenant(lab), { credentials, sshAuthorizedKeys: [studentKey] });
    const second = renderTenant(structuredClone(lab), makeTenant(lab), {
      credentials: structuredClone(credentials),
      sshAuthorizedKeys: [studentKey],
    });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('selects the control plane VMI, and only it, from the kube-api and ssh Services', () => {
    const objects = render(makeLab({ workers: 2 }));
    const templateLabels = ofKind(objects, 'VirtualMachine').map((vm) => vm.spec.template.metadata.labels);
    for (const service of ofKind(objects, 'Service')) {
      expect(templateLabels.map((labels) => matches(service.spec.selector, labels))).toEqual([true, false, false]);
    }
    expect(ofKind(objects, 'Service').map((service) => service.spec.ports)).toEqual([
      [{ name: 'https', protocol: 'TCP', port: 6443, targetPort: 6443 }],
      [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }],
    ]);
    expect(templateLabels.map((labels) => labels['kubelabs.io/node-role'])).toEqual([
      'control-plane',
      'worker',
      'worker',
    ]);
  });

  it.each([
    { options: {}, enforce: 'restricted' },
    { options: { podSecurityEnforce: 'baseline' as const }, enforce: 'baseline' },
  ])('enforces the $enforce Pod Security level on the namespace and warns at restricted', ({ options, enforce }) => {
    const [namespace] = render(makeLab(), options);
    expect(namespace!.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': enforce,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it.each([
    { options: {}, interfaces: [{ name: 'default', bridge: {} }] },
    { options: { podNetworkBinding: 'masquerade' as const }, interfaces: [{ name: 'default', masquerade: {} }] },
  ])('attaches the pod network as $interfaces.0', ({ options, interfaces }) => {
    const [vm] = ofKind(render(makeLab(), options), 'VirtualMachine');
    expect(vm!.spec.template.spec.domain.devices.interfaces).toEqual(interfaces);
    expect(vm!.spec.template.spec.networks).toEqual([{ name: 'default', pod: {} }]);
  });

  const platformDefault = { ingress: '100M', egress: '100M' };
  it.each<{
    name: string;
    vmBandwidth?: RenderTenantOptions['vmBandwidth'];
    network?: Lab['network'];
    annotations: Json;
  }>([
    {
      name: "the platform's default",
      vmBandwidth: platformDefault,
      annotations: { 'kubernetes.io/ingress-bandwidth': '100M', 'kubernetes.io/egress-bandwidth': '100M' },
    },
    {
      name: "the lab's override of both directions",
      vmBandwidth: platformDefault,
      network: { ingressBandwidth: '1G', egressBandwidth: '20M' },
      annotations: { 'kubernetes.io/ingress-bandwidth': '1G', 'kubernetes.io/egress-bandwidth': '20M' },
    },
    {
      name: "the lab's override of one direction and the default for the other",
      vmBandwidth: platformDefault,
      network: { egressBandwidth: '512Mi' },
      annotations: { 'kubernetes.io/ingress-bandwidth': '100M', 'kubernetes.io/egress-bandwidth': '512Mi' },
    },
    { name: 'no limit when the platform sets none', vmBandwidth: {}, annotations: {} },
    { name: 'no limit by default when no options are given', annotations: {} },
    {
      name: 'one direction limited by the platform',
      vmBandwidth: { egress: '50M' },
      annotations: { 'kubernetes.io/egress-bandwidth': '50M' },
    },
    {
      name: "the lab's override when the platform sets none",
      vmBandwidth: {},
      network: { ingressBandwidth: '10M' },
      annotations: { 'kubernetes.io/ingress-bandwidth': '10M' },
    },
  ])('annotates every VM template with $name', ({ vmBandwidth, network, annotations }) => {
    const lab = makeLab({ workers: 2, ...(network ? { network } : {}) });
    const vms = ofKind(render(lab, vmBandwidth ? { vmBandwidth } : {}), 'VirtualMachine');
    expect(vms).toHaveLength(3);
    for (const vm of vms) {
      // On the template (KubeVirt copies it to the launcher pod), never on the VM object, which no CNI reads.
      expect(vm.spec.template.metadata.annotations ?? {}).toEqual(annotations);
      expect(vm.metadata.annotations).toBeUndefined();
      expect(vm.spec.template.metadata.labels['kubelabs.io/tenant']).toBe('t-cka-basics-7f3k2');
    }
    if (Object.keys(annotations).length === 0)
      for (const vm of vms) expect(vm.spec.template.metadata).not.toHaveProperty('annotations');
  });

  it('stores the credentials in an immutable tenant-pki Secret', () => {
    const pki = ofKind(render(makeLab()), 'Secret').find((secret) => secret.metadata.name === 'tenant-pki')!;
    expect(pki.immutable).toBe(true);
    expect(Buffer.from(pki.data['ca.key'], 'base64').toString()).toBe(credentials.caKeyPem);
    expect(Buffer.from(pki.data['bootstrap-token'], 'base64').toString()).toBe(credentials.bootstrapToken);
  });

  it.each([
    { keys: [], content: '' },
    { keys: [studentKey], content: `${studentKey}\n` },
    { keys: [studentKey, 'ssh-rsa AAAAB3NzaC1yc2E= ops'], content: `${studentKey}\nssh-rsa AAAAB3NzaC1yc2E= ops\n` },
  ])('writes $keys.length authorized keys, one a line, into the ssh-authorized-keys Secret', ({ keys, content }) => {
    const lab = makeLab();
    const secret = renderSshAuthorizedKeysSecret(makeTenant(lab), keys) as Json;
    expect(secret.metadata).toMatchObject({
      name: 'ssh-authorized-keys',
      namespace: tenantNamespace(makeTenant(lab).id),
    });
    expect(Buffer.from(secret.data.key, 'base64').toString()).toBe(content);
  });

  it.each<{
    name: string;
    code: DomainErrorCode;
    lab?: Partial<Lab> & { workers?: number };
    tenant?: object;
    input?: object;
  }>([
    {
      name: 'a version the lab does not offer',
      code: 'lab.version_not_offered',
      tenant: { kubernetesVersion: '1.29' },
    },
    { name: 'a tenant of another lab', code: 'input.invalid', tenant: { labId: 'ckad' } },
    { name: 'a tenant id that is no DNS label', code: 'input.invalid', tenant: { id: 'T_1' } },
    {
      name: 'a Kubernetes release before kubeadm v1beta3',
      code: 'lab.invalid',
      lab: { kubernetesVersions: ['1.21'] },
      tenant: { kubernetesVersion: '1.21' },
    },
    {
      name: 'workers behind masquerade',
      code: 'lab.invalid',
      lab: { workers: 1 },
      input: { options: { podNetworkBinding: 'masquerade' } },
    },
    {
      name: 'a fractional vCPU count',
      code: 'lab.invalid',
      lab: {
        topology: { controlPlane: { cpu: 0.5, memoryMiB: 1536 }, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
      },
    },
    {
      name: 'an SSH key with an extra line',
      code: 'input.invalid',
      input: { sshAuthorizedKeys: [`${studentKey}\nssh-ed25519 AAAA x`] },
    },
    { name: 'something that is no SSH key', code: 'input.invalid', input: { sshAuthorizedKeys: ['hello'] } },
    { name: 'an extra SAN with a space', code: 'input.invalid', input: { options: { apiServerExtraSans: ['a b'] } } },
    {
      name: 'a CNI path that is not absolute',
      code: 'input.invalid',
      input: { options: { cniManifestPath: 'cni.yaml' } },
    },
    {
      name: 'a default bandwidth that is no quantity',
      code: 'input.invalid',
      input: { options: { vmBandwidth: { ingress: '100 Mbit/s' } } },
    },
    {
      name: 'a lab image pinned to one version (every version would boot it)',
      code: 'lab.invalid',
      lab: { image: 'registry.example/kubelabs/node:pinned' },
    },
    {
      name: 'a platform node image without {version}',
      code: 'input.invalid',
      input: { options: { nodeImage: 'registry.example/kubelabs/node:latest' } },
    },
    {
      name: 'a lab bandwidth the container runtime would refuse',
      code: 'lab.invalid',
      lab: { network: { egressBandwidth: '500' } },
    },
  ])('refuses $name with $code', ({ code, lab: labOverrides, tenant, input }) => {
    const lab = makeLab(labOverrides);
    let caught: unknown;
    try {
      renderTenant(lab, makeTenant(lab, tenant), { credentials, ...input });
    } catch (error) {
      caught = error;
    }
    expect(isDomainError(caught, code), String(caught)).toBe(true);
  });
});

describe('tenant cloud-init', () => {
  const cp = 't-cka-basics-7f3k2-cp';

  it('starts every user data with #cloud-config and parses as YAML', () => {
    const objects = render(makeLab({ workers: 2 }));
    for (const vm of ofKind(objects, 'VirtualMachine')) {
      const userData = userDataOf(objects, vm.metadata.name);
      expect(userData.startsWith('#cloud-config\n')).toBe(true);
      expect(parseAllDocuments(userData).every((document) => document.errors.length === 0)).toBe(true);
      const config = parse(userData);
      expect(config.users).toEqual([
        expect.objectContaining({ name: 'student', sudo: 'ALL=(ALL) NOPASSWD:ALL' }),
        // The platform's login for SSH lab checks: its own key, never the student's account.
        expect.objectContaining({
          name: 'kubelabs',
          sudo: 'ALL=(ALL) NOPASSWD:ALL',
          lock_passwd: true,
          ssh_authorized_keys: [credentials.platformSshKey!.publicKey],
        }),
      ]);
      expect(config.runcmd).toEqual([
        'systemctl start --no-block qemu-guest-agent || true',
        '/usr/local/lib/kubelabs/bootstrap.sh',
      ]);
    }
  });

  it.each(shapes)('writes bootstrap and setup scripts of $name that bash can parse', ({ workers }) => {
    const lab = makeLab({ workers, setup: { controlPlane: "echo 'it''s broken' | tee /root/note", workers: 'true' } });
    const objects = render(lab);
    for (const vm of ofKind(objects, 'VirtualMachine')) {
      const config = cloudConfigOf(objects, vm.metadata.name);
      for (const file of config.write_files.filter((written: Json) => written.path.endsWith('.sh'))) {
        expect(file.content.startsWith('#!/bin/bash\n')).toBe(true);
        expect(
          () => execFileSync('bash', ['-n'], { input: file.content, stdio: ['pipe', 'ignore', 'pipe'] }),
          file.path,
        ).not.toThrow();
      }
    }
  });

  it('writes the platform CA onto the control plane and gives its SSH daemon the platform host key', () => {
    const config = cloudConfigOf(render(makeLab()), cp);
    expect(fileOf(config, '/etc/kubernetes/pki/ca.crt')).toBe(credentials.caCertificatePem);
    expect(fileOf(config, '/etc/kubernetes/pki/ca.key')).toBe(credentials.caKeyPem);
    expect(config.write_files.find((file: Json) => file.path === '/etc/kubernetes/pki/ca.key').permissions).toBe(
      '0600',
    );
    expect(config.ssh_keys).toEqual({
      ecdsa_private: credentials.sshHostKey!.privateKeyPem,
      ecdsa_public: credentials.sshHostKey!.publicKey,
    });
  });

  it.each([
    { version: '1.36', apiVersion: 'kubeadm.k8s.io/v1beta4' },
    { version: '1.35', apiVersion: 'kubeadm.k8s.io/v1beta4' },
    { version: '1.30', apiVersion: 'kubeadm.k8s.io/v1beta3' },
  ])(
    'configures kubeadm $apiVersion for Kubernetes $version with the pre-minted token and API SANs',
    ({ version, apiVersion }) => {
      const objects = render(
        makeLab(),
        { apiServerExtraSans: ['t-1.labs.example.org', '203.0.113.7'] },
        { kubernetesVersion: version },
      );
      const config = cloudConfigOf(objects, cp);
      const [init, cluster] = parseAllDocuments(fileOf(config, '/etc/kubelabs/kubeadm.yaml')!).map((d) => d.toJS());
      expect(init).toMatchObject({
        apiVersion,
        kind: 'InitConfiguration',
        bootstrapTokens: [{ token: credentials.bootstrapToken, ttl: '0s', usages: ['signing', 'authentication'] }],
      });
      expect(cluster).toMatchObject({
        apiVersion,
        kind: 'ClusterConfiguration',
        kubernetesVersion: `stable-${version}`,
        controlPlaneEndpoint: 'kube-api.kubelabs-t-cka-basics-7f3k2.svc.cluster.local:6443',
        networking: { podSubnet: '10.243.0.0/16', serviceSubnet: '10.95.0.0/16', dnsDomain: 'cluster.local' },
      });
      expect(cluster.apiServer.certSANs).toEqual([
        'kube-api',
        'kube-api.kubelabs-t-cka-basics-7f3k2',
        'kube-api.kubelabs-t-cka-basics-7f3k2.svc',
        'kube-api.kubelabs-t-cka-basics-7f3k2.svc.cluster.local',
        't-1.labs.example.org',
        '203.0.113.7',
      ]);
      const script = fileOf(config, '/usr/local/lib/kubelabs/bootstrap.sh')!;
      expect(script).toContain(`want='${version}'`);
      expect(script).toContain('kubeadm init --config /etc/kubelabs/kubeadm.yaml');
    },
  );

  it.each([
    { podSubnet: undefined, network: '10.243.0.0/16' },
    { podSubnet: '10.200.0.0/16', network: '10.200.0.0/16' },
    { podSubnet: '172.30.128.0/17', network: '172.30.128.0/17' },
  ])(
    'applies the image’s flannel manifest with the tenant pod subnet $network as its Network',
    ({ podSubnet, network }) => {
      // The real manifest the node image ships at cniManifestPath, through the rendered command up to `kubectl apply`.
      const manifest = `${repoRoot}/deploy/images/node/cni/flannel.yaml`;
      const objects = render(makeLab(), {
        cniManifestPath: manifest,
        ...(podSubnet ? { tenantNetworking: { podSubnet } } : {}),
      });
      const script = fileOf(cloudConfigOf(objects, cp), '/usr/local/lib/kubelabs/bootstrap.sh')!;
      const line = script.split('\n').find((l) => l.includes(`${manifest}'`) && l.includes('kubectl'))!;
      const command = line.replace(/^if \[ -f '[^']+' \]; then /, '').replace(/ \| kubectl .*$/, '');
      const applied = parseAllDocuments(execFileSync('bash', ['-c', command], { encoding: 'utf8' })).map((d) =>
        d.toJSON(),
      );
      const netConf = applied.find((d) => d?.kind === 'ConfigMap')?.data['net-conf.json'];
      expect(JSON.parse(netConf)).toMatchObject({ Network: network, Backend: { Type: 'vxlan', Port: 8475 } });
      const kubeadm = parseAllDocuments(fileOf(cloudConfigOf(objects, cp), '/etc/kubelabs/kubeadm.yaml')!).map((d) =>
        d.toJSON(),
      );
      expect(kubeadm.find((d) => d.kind === 'ClusterConfiguration').networking.podSubnet).toBe(network);
    },
  );

  it.each([{ workers: 1 }, { workers: 3 }])(
    'joins each of $workers workers with the token and CA pin only',
    ({ workers }) => {
      const objects = render(makeLab({ workers }));
      for (let i = 1; i <= workers; i++) {
        const userData = userDataOf(objects, `t-cka-basics-7f3k2-w${i}`);
        const script = fileOf(parse(userData), '/usr/local/lib/kubelabs/bootstrap.sh')!;
        expect(script).toContain(`token='${credentials.bootstrapToken}'`);
        expect(script).toContain(
          `kubeadm join 'kube-api.kubelabs-t-cka-basics-7f3k2.svc.cluster.local:6443' --token "$token" --discovery-token-ca-cert-hash '${credentials.caCertHash}'`,
        );
        // The token is on exactly one line, an assignment: a failing command's text ($BASH_COMMAND, which the
        // outcome report carries) never holds it.
        expect(script.split('\n').filter((line) => line.includes(credentials.bootstrapToken))).toEqual([
          `token='${credentials.bootstrapToken}'`,
        ]);
        expect(userData).not.toContain(credentials.caKeyPem);
        expect(userData).not.toContain(credentials.adminKeyPem);
        expect(userData).not.toContain('PRIVATE KEY');
      }
      const cpScript = fileOf(cloudConfigOf(objects, cp), '/usr/local/lib/kubelabs/bootstrap.sh')!;
      expect(cpScript).toContain(`if [ "$joined" -ge ${1 + workers} ]; then break; fi`);
    },
  );

  it.each([
    {
      name: 'both roles',
      setup: { controlPlane: 'kubectl delete deploy coredns -n kube-system', workers: 'systemctl stop kubelet' },
    },
    {
      name: 'the control plane only',
      setup: { controlPlane: 'mv /etc/kubernetes/manifests/kube-scheduler.yaml /root/\n' },
    },
    { name: 'the workers only', setup: { workers: "sed -i 's/10250/10251/' /var/lib/kubelet/config.yaml" } },
    { name: 'neither role', setup: { controlPlane: '   ' } },
  ])('appends the lab setup for $name after the bootstrap, before the completion marker', ({ setup }) => {
    const objects = render(makeLab({ workers: 1, setup }));
    for (const [vmName, snippet] of [
      [cp, setup.controlPlane],
      ['t-cka-basics-7f3k2-w1', setup.workers],
    ] as const) {
      const config = cloudConfigOf(objects, vmName);
      const script = fileOf(config, '/usr/local/lib/kubelabs/bootstrap.sh')!;
      const labSetup = fileOf(config, '/usr/local/lib/kubelabs/lab-setup.sh');
      const lines = script.trimEnd().split('\n');
      expect(lines.slice(-3)).toEqual([
        'step="done"',
        'report Succeeded || true',
        `touch ${bootstrapMarkers.complete}`,
      ]);
      if (snippet?.trim()) {
        expect(labSetup).toContain(snippet.trimEnd());
        expect(labSetup!.startsWith('#!/bin/bash\n')).toBe(true);
        expect(lines.at(-4)).toBe('/usr/local/lib/kubelabs/lab-setup.sh');
        const joinOrInit = lines.findIndex((line) => /kubeadm (init|join)/.test(line));
        expect(joinOrInit).toBeGreaterThan(-1);
        expect(joinOrInit).toBeLessThan(lines.length - 4);
      } else {
        expect(labSetup).toBeUndefined();
        expect(script).not.toContain('lab-setup.sh');
      }
    }
  });
  it("reports each node's bootstrap outcome into its kube-system ConfigMap, on success and from the failure trap", () => {
    const objects = render(makeLab({ workers: 2 }));
    for (const [vmName, node, write] of [
      [cp, 'controlplane', 'apply'],
      ['t-cka-basics-7f3k2-w1', 'node01', 'replace'],
      ['t-cka-basics-7f3k2-w2', 'node02', 'replace'],
    ] as const) {
      const script = fileOf(cloudConfigOf(objects, vmName), '/usr/local/lib/kubelabs/bootstrap.sh')!;
      expect(script).toContain(`create configmap kubelabs-bootstrap-${node} --dry-run=client -o yaml`);
      expect(script).toContain(`--from-literal=phase="$phase" --from-literal=node=${node} --from-literal=step="$step"`);
      expect(script).toContain('label --local -f - -o yaml kubelabs.io/bootstrap-outcome=true');
      expect(script).toContain(` ${write} -f - >/dev/null; then return 0; fi`);
      expect(script).toMatch(/trap '.*report Failed "line \$LINENO: \$BASH_COMMAND" \|\| true' ERR/);
      expect(script.indexOf('report() {')).toBeLessThan(script.indexOf('step="version check"'));
      expect(script.trimEnd().split('\n').at(-2)).toBe('report Succeeded || true');
      // The log's tail goes out with tokens masked (the dot in the sed pattern is escaped: a literal dot).
      expect(script).toContain(`sed -E 's/[a-z0-9]{6}\\.[a-z0-9]{16}/[token]/g'`);
    }
    const worker = fileOf(cloudConfigOf(objects, 't-cka-basics-7f3k2-w1'), '/usr/local/lib/kubelabs/bootstrap.sh')!;
    // A worker reports with the bootstrap token, verifying the API against the tenant CA written beside it.
    expect(worker).toContain(
      `kubectl --server 'https://kube-api.kubelabs-t-cka-basics-7f3k2.svc.cluster.local:6443' --certificate-authority /etc/kubelabs/ca.crt --token "$token"`,
    );
    expect(fileOf(cloudConfigOf(objects, 't-cka-basics-7f3k2-w1'), '/etc/kubelabs/ca.crt')).toBe(
      credentials.caCertificatePem,
    );
    // A report never stops the bootstrap (each is `|| true`), and a worker reports only after joining: its ConfigMap
    // exists once the control plane's kubeadm init ran, and the join must not wait for it.
    const lines = worker.split('\n');
    expect(lines.filter((line) => line.startsWith('report ')).every((line) => line.endsWith(' || true'))).toBe(true);
    const join = lines.findIndex((line) => line.includes('kubeadm join'));
    expect(lines.findIndex((line) => line.startsWith('report '))).toBeGreaterThan(join);
  });

  it("lets the bootstrap token update only the workers' outcome ConfigMaps, which the control plane pre-creates", () => {
    const config = cloudConfigOf(render(makeLab({ workers: 2 })), cp);
    const documents = parseAllDocuments(fileOf(config, '/etc/kubelabs/bootstrap-outcome.yaml')!).map((d) => d.toJS());
    expect(documents.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data.phase])).toEqual([
      ['kubelabs-bootstrap-controlplane', 'Pending'],
      ['kubelabs-bootstrap-node01', 'Pending'],
      ['kubelabs-bootstrap-node02', 'Pending'],
    ]);
    const role = documents.find((d) => d.kind === 'Role');
    expect(role.metadata.namespace).toBe('kube-system');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['kubelabs-bootstrap-node01', 'kubelabs-bootstrap-node02'],
        verbs: ['get', 'update'],
      },
    ]);
    expect(documents.find((d) => d.kind === 'RoleBinding').subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Group',
        name: 'system:bootstrappers:kubeadm:default-node-token',
      },
    ]);
    const script = fileOf(config, '/usr/local/lib/kubelabs/bootstrap.sh')!;
    const lines = script.split('\n');
    expect(
      lines.indexOf('kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/kubelabs/bootstrap-outcome.yaml'),
    ).toBe(lines.indexOf('kubeadm init --config /etc/kubelabs/kubeadm.yaml') + 2);
    // Without workers: nothing for a token to write (no Role, no binding), and still one object for kubectl to apply
    // (it fails on a file with none): the control plane's own ConfigMap.
    const alone = cloudConfigOf(render(makeLab({ workers: 0 })), cp);
    const aloneDocuments = parseAllDocuments(fileOf(alone, '/etc/kubelabs/bootstrap-outcome.yaml')!).map((d) =>
      d.toJSON(),
    );
    expect(aloneDocuments.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ConfigMap/kubelabs-bootstrap-controlplane',
    ]);
    expect(aloneDocuments[0].data).toMatchObject({ phase: 'Pending', node: 'controlplane' });
  });
});
