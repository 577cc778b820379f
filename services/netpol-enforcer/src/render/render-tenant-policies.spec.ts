// Table tests for the baseline and exposure renderers: ownership labels, selectors, the ranges cut out of egress and of
// the student rule for each setting, the exposure Service per type, and determinism.
import { describe, expect, it } from 'vitest';
import {
  baselinePolicyNames,
  enforcerLabelKeys,
  renderBaselinePolicies,
  renderExposure,
  type NetworkPolicy,
} from './index';
import { exposureSettings, isolationSettings, tenantA } from './enforcer-render.fixtures';

const byName = (policies: NetworkPolicy[], name: string) => policies.find((p) => p.metadata.name === name)!;
const ipBlocks = (policy: NetworkPolicy) =>
  [
    ...(policy.spec.ingress ?? []).flatMap((rule) => rule.from ?? []),
    ...(policy.spec.egress ?? []).flatMap((rule) => rule.to ?? []),
  ].flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));

const cpLabels = { 'kubelabs.io/tenant': tenantA.id, 'kubelabs.io/node-role': 'control-plane' };

describe('renderBaselinePolicies', () => {
  it('labels every policy with its owner, platform, tenant, component and set, in the tenant namespace', () => {
    const policies = renderBaselinePolicies(tenantA, isolationSettings({ PLATFORM_ID: 'blue' }));
    expect(policies.map((p) => p.metadata.name)).toEqual(Object.values(baselinePolicyNames));
    for (const policy of policies) {
      expect(policy.metadata.namespace).toBe(tenantA.namespace);
      expect(policy.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'kubelabs',
        'kubelabs.io/platform': 'blue',
        'kubelabs.io/tenant': tenantA.id,
        [enforcerLabelKeys.component]: 'netpol-enforcer',
        [enforcerLabelKeys.objectSet]: 'baseline',
      });
    }
  });

  it('denies everything to every pod of the namespace, then opens each thing with its own policy', () => {
    const policies = renderBaselinePolicies(tenantA, isolationSettings());
    expect(byName(policies, baselinePolicyNames.defaultDeny).spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    const tenantVms = { matchLabels: { 'kubelabs.io/tenant': tenantA.id } };
    expect(byName(policies, baselinePolicyNames.tenantVms).spec).toEqual({
      podSelector: tenantVms,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: tenantVms }] }],
      egress: [{ to: [{ podSelector: tenantVms }] }],
    });
  });

  it('selects launcher pods by template labels only, never by kubevirt.io/domain or vm.kubevirt.io/name', () => {
    const text = JSON.stringify(renderBaselinePolicies(tenantA, isolationSettings()));
    expect(text).not.toContain('kubevirt.io/domain');
    expect(text).not.toContain('vm.kubevirt.io/name');
  });

  it.each([
    {
      name: 'the defaults',
      env: {},
      dns: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
      platform: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubelabs-system' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'kubelabs' } },
      },
    },
    {
      name: 'selectors from settings',
      env: {
        DNS_NAMESPACE_SELECTOR: 'kubernetes.io/metadata.name=dns',
        DNS_POD_SELECTOR: 'app=coredns,tier=node-cache',
        PLATFORM_NAMESPACE_SELECTOR: 'team=platform',
        PLATFORM_POD_SELECTOR: 'app.kubernetes.io/part-of=kubelabs,app.kubernetes.io/name=syncer',
      },
      dns: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
        podSelector: { matchLabels: { app: 'coredns', tier: 'node-cache' } },
      },
      platform: {
        namespaceSelector: { matchLabels: { team: 'platform' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'kubelabs', 'app.kubernetes.io/name': 'syncer' } },
      },
    },
  ])('opens DNS and the platform by both selectors at once with $name', ({ env, dns, platform }) => {
    const policies = renderBaselinePolicies(tenantA, isolationSettings(env));
    expect(byName(policies, baselinePolicyNames.dns).spec.egress).toEqual([
      {
        to: [dns],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    const platformPolicy = byName(policies, baselinePolicyNames.platform);
    expect(platformPolicy.spec.podSelector).toEqual({ matchLabels: cpLabels });
    expect(platformPolicy.spec.policyTypes).toEqual(['Ingress']);
    expect(platformPolicy.spec.ingress).toEqual([
      {
        from: [platform],
        ports: [
          { protocol: 'TCP', port: 22 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });

  it.each([
    {
      name: 'IPv4 only, by default',
      env: {},
      blocks: [
        {
          cidr: '0.0.0.0/0',
          except: [
            '10.244.0.0/16',
            '10.96.0.0/12',
            '169.254.0.0/16',
            '10.0.0.0/8',
            '172.16.0.0/12',
            '192.168.0.0/16',
            '100.64.0.0/10',
          ],
        },
      ],
    },
    {
      name: 'host ranges of both families, no extra blocks, IPv6 on',
      env: {
        HOST_POD_CIDRS: '10.42.0.0/16,fd00:10:42::/56',
        HOST_SERVICE_CIDRS: '10.43.0.0/16,fd00:10:43::/112',
        HOST_NODE_CIDRS: '198.51.100.0/24,2001:db8:1::/64',
        EGRESS_BLOCKED_CIDRS: 'none',
        EGRESS_IPV6: 'true',
      },
      blocks: [
        { cidr: '0.0.0.0/0', except: ['10.42.0.0/16', '10.43.0.0/16', '198.51.100.0/24', '169.254.0.0/16'] },
        {
          cidr: '::/0',
          except: ['fd00:10:42::/56', 'fd00:10:43::/112', '2001:db8:1::/64', 'fe80::/10'],
        },
      ],
    },
    {
      name: 'a range listed twice, and IPv6 blocks while IPv6 egress is off',
      env: { HOST_NODE_CIDRS: '10.244.0.0/16', EGRESS_BLOCKED_CIDRS: '203.0.113.0/24,2001:db8::/32' },
      blocks: [{ cidr: '0.0.0.0/0', except: ['10.244.0.0/16', '10.96.0.0/12', '169.254.0.0/16', '203.0.113.0/24'] }],
    },
  ])('lets VMs out to the internet minus the blocked ranges: $name', ({ env, blocks }) => {
    const internet = byName(renderBaselinePolicies(tenantA, isolationSettings(env)), baselinePolicyNames.internet);
    expect(internet.spec.podSelector).toEqual({ matchLabels: { 'kubelabs.io/tenant': tenantA.id } });
    expect(internet.spec.policyTypes).toEqual(['Egress']);
    expect(internet.spec.egress).toHaveLength(1);
    expect(internet.spec.egress![0]!.ports).toBeUndefined();
    expect(ipBlocks(internet)).toEqual(blocks);
  });

  it('renders the same objects for the same input, and new objects each time', () => {
    const first = renderBaselinePolicies(tenantA, isolationSettings());
    const second = renderBaselinePolicies(tenantA, isolationSettings());
    expect(second).toEqual(first);
    first[1]!.spec.podSelector.matchLabels!['kubelabs.io/tenant'] = 'changed';
    expect(first[1]!.spec.ingress![0]!.from![0]!.podSelector!.matchLabels!['kubelabs.io/tenant']).toBe(tenantA.id);
  });
});

describe('renderExposure', () => {
  it.each([
    {
      name: 'a NodePort from anywhere, by default',
      env: {},
      type: 'NodePort',
      from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16', '10.96.0.0/12', '169.254.0.0/16'] } }],
      extra: {},
    },
    {
      name: 'a LoadBalancer from two ranges of both families',
      env: {
        EXPOSURE_SERVICE_TYPE: 'LoadBalancer',
        EXPOSURE_SOURCE_CIDRS: '192.0.2.0/24,2001:db8:cafe::/48',
        HOST_POD_CIDRS: '10.244.0.0/16,fd00:10:244::/56',
      },
      type: 'LoadBalancer',
      // Host ranges outside a source range are not excepts of it (the API server refuses those).
      from: [{ ipBlock: { cidr: '192.0.2.0/24' } }, { ipBlock: { cidr: '2001:db8:cafe::/48' } }],
      extra: { loadBalancerSourceRanges: ['192.0.2.0/24', '2001:db8:cafe::/48'] },
    },
    {
      name: 'a campus network around the host nodes',
      env: { EXPOSURE_SOURCE_CIDRS: '10.0.0.0/8', HOST_NODE_CIDRS: '10.20.0.0/24' },
      type: 'NodePort',
      from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16', '10.96.0.0/12', '10.20.0.0/24'] } }],
      extra: {},
    },
  ])('opens SSH and the API of the control plane to students: $name', ({ env, type, from, extra }) => {
    const { policies, services } = renderExposure(tenantA, exposureSettings(env));
    expect(policies.map((p) => p.metadata.name)).toEqual(['exposure-students', 'exposure-synced']);
    expect(policies[1]!.spec).toEqual({
      podSelector: { matchLabels: { 'kubelabs.io/tenant': tenantA.id } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...from,
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
            },
          ],
          ports: [
            { protocol: 'TCP', port: 30000, endPort: 32767 },
            { protocol: 'UDP', port: 30000, endPort: 32767 },
          ],
        },
      ],
    });
    expect(policies[0]!.spec).toEqual({
      podSelector: { matchLabels: cpLabels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from,
          ports: [
            { protocol: 'TCP', port: 22 },
            { protocol: 'TCP', port: 6443 },
          ],
        },
      ],
    });
    expect(services).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'exposure',
          namespace: tenantA.namespace,
          labels: expect.objectContaining({ 'kubelabs.io/object-set': 'exposure', 'kubelabs.io/tenant': tenantA.id }),
        },
        spec: {
          type,
          externalTrafficPolicy: 'Local',
          selector: cpLabels,
          ports: [
            { name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 },
            { name: 'kube-api', protocol: 'TCP', port: 6443, targetPort: 6443 },
          ],
          ...extra,
        },
      },
    ]);
    expect(JSON.stringify(services)).not.toContain('nodePort');
  });

  it('labels the exposure objects as their own set, so releasing prunes exactly them', () => {
    const { policies, services } = renderExposure(tenantA, exposureSettings({ PLATFORM_ID: 'blue' }));
    for (const object of [...policies, ...services]) {
      expect(object.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'kubelabs',
        'kubelabs.io/platform': 'blue',
        'kubelabs.io/tenant': tenantA.id,
        'kubelabs.io/component': 'netpol-enforcer',
        'kubelabs.io/object-set': 'exposure',
      });
    }
  });

  it('renders nothing rather than an empty student rule (an empty `from` admits everyone)', () => {
    const settings = { ...exposureSettings(), sourceCidrs: ['10.244.1.0/24', '169.254.0.0/16'] };
    expect(renderExposure(tenantA, settings)).toEqual({ policies: [], services: [] });
  });
});
