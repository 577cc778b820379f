// The enforcer's configuration: safe defaults, one-line errors naming the variable, and the settings it hands to the
// renderers.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kubelabs/config';
import { defaultVmOverhead } from '@kubelabs/domain';
import { exposureSettingsFrom, isolationSettingsFrom, NetpolEnforcerConfig, quotaSettingsFrom } from './config';

const required = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs' };
const load = (env: Record<string, string> = {}) => loadConfig(NetpolEnforcerConfig, { ...required, ...env });

describe('NetpolEnforcerConfig', () => {
  it('defaults to an isolating, NodePort-exposing enforcer on port 8083', () => {
    const config = load();
    expect(config.HTTP_PORT).toBe(8083);
    expect(isolationSettingsFrom(config)).toEqual({
      platformId: 'default',
      host: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: [] },
      blockedCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
      ipv6Egress: false,
      dns: {
        namespaceSelector: { 'kubernetes.io/metadata.name': 'kube-system' },
        podSelector: { 'k8s-app': 'kube-dns' },
      },
      platform: {
        namespaceSelector: { 'kubernetes.io/metadata.name': 'kubelabs-system' },
        podSelector: { 'app.kubernetes.io/part-of': 'kubelabs' },
      },
    });
    expect(exposureSettingsFrom(config)).toEqual({
      platformId: 'default',
      sourceCidrs: ['0.0.0.0/0'],
      serviceType: 'NodePort',
      host: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: [] },
      tenantNodePorts: { from: 30000, to: 32767 },
      ingressController: {
        namespaceSelector: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
        podSelector: { 'app.kubernetes.io/name': 'ingress-nginx' },
      },
    });
    expect(quotaSettingsFrom(config)).toEqual({
      platformId: 'default',
      vmOverhead: {
        baseMiB: 218,
        mibPerVcpu: 8,
        guestMemoryPermille: 2,
        graphicsDevicesPerVm: 0,
        mibPerGraphicsDevice: 16,
        cpuMillisPerVm: 100,
      },
      headroomPercent: 10,
      extraPods: 4,
      exposureServiceType: 'NodePort',
      syncedNodePorts: 8,
      syncedLoadBalancers: 0,
      defaultContainerRequest: { cpuMillis: 50, memoryMiB: 64 },
    });
  });

  it('reads lists with spaces and `none`, selectors with several labels, and IPv6 on', () => {
    const config = load({
      HOST_NODE_CIDRS: ' 198.51.100.0/24 , 2001:db8:1::/64 ',
      EGRESS_BLOCKED_CIDRS: 'none',
      EGRESS_IPV6: 'true',
      DNS_POD_SELECTOR: 'k8s-app=kube-dns, tier=node-cache',
      EXPOSURE_SERVICE_TYPE: 'LoadBalancer',
      EXPOSURE_SOURCE_CIDRS: '192.0.2.0/24,::/0',
    });
    const isolation = isolationSettingsFrom(config);
    expect(isolation.host.nodeCidrs).toEqual(['198.51.100.0/24', '2001:db8:1::/64']);
    expect(isolation.blockedCidrs).toEqual([]);
    expect(isolation.ipv6Egress).toBe(true);
    expect(isolation.dns.podSelector).toEqual({ 'k8s-app': 'kube-dns', tier: 'node-cache' });
    expect(exposureSettingsFrom(config)).toMatchObject({
      sourceCidrs: ['192.0.2.0/24', '::/0'],
      serviceType: 'LoadBalancer',
    });
  });

  it.each([
    { variable: 'HOST_POD_CIDRS', value: '10.244.0.0/33', message: /HOST_POD_CIDRS must be comma-separated CIDRs/ },
    { variable: 'HOST_POD_CIDRS', value: '10.244.1.0/16', message: /no host bits set/ },
    { variable: 'HOST_SERVICE_CIDRS', value: '2001:DB8::/32', message: /canonical form/ },
    { variable: 'EGRESS_BLOCKED_CIDRS', value: '0.0.0.0/0', message: /none of them \/0/ },
    { variable: 'EGRESS_BLOCKED_CIDRS', value: '10.0.0.0/8,,', message: /EGRESS_BLOCKED_CIDRS must be/ },
    { variable: 'EXPOSURE_SOURCE_CIDRS', value: 'none', message: /and at least one/ },
    { variable: 'EXPOSURE_SOURCE_CIDRS', value: '10.244.3.0/24', message: /must not lie inside HOST_POD_CIDRS/ },
    { variable: 'EXPOSURE_SOURCE_CIDRS', value: '169.254.0.0/16', message: /or link-local/ },
    { variable: 'EXPOSURE_SERVICE_TYPE', value: 'ClusterIP', message: /'NodePort' or 'LoadBalancer'/ },
    { variable: 'EGRESS_IPV6', value: 'maybe', message: /EGRESS_IPV6 must be true or false/ },
    { variable: 'DNS_POD_SELECTOR', value: 'k8s-app', message: /label=value pairs/ },
    { variable: 'PLATFORM_NAMESPACE_SELECTOR', value: 'none', message: /one or more label=value pairs/ },
    { variable: 'PLATFORM_POD_SELECTOR', value: 'a=b,a=c', message: /PLATFORM_POD_SELECTOR must be/ },
    { variable: 'PLATFORM_POD_SELECTOR', value: 'bad key=x', message: /PLATFORM_POD_SELECTOR must be/ },
    { variable: 'QUOTA_HEADROOM_PERCENT', value: '-5', message: /from 0 to 100/ },
    { variable: 'EXPOSURE_PUBLIC_HOST', value: 'http://host', message: /host name or an IP address/ },
  ])('refuses $variable=$value in one line naming it', ({ variable, value, message }) => {
    let caught: unknown;
    try {
      load({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).message).not.toContain('\n');
  });
});

describe('KubeVirt overhead defaults', () => {
  it('are the figures the pool manager plans capacity with', () => {
    expect(quotaSettingsFrom(new NetpolEnforcerConfig()).vmOverhead).toEqual(defaultVmOverhead);
  });
});
