import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planVmNetwork } from './plan-vm-network';

const apiHost = 'kube-api.t-1.svc.cluster.local';
const cp = { name: 'cp', role: 'control-plane' as const, hostname: 'control-plane' };
const w1 = { name: 'w1', role: 'worker' as const, hostname: 'worker-1' };

describe('planVmNetwork', () => {
  it.each([
    { name: 'a single control plane gets .10 and an uplink', nodes: [cp], addresses: ['10.77.0.10'], uplinks: [true] },
    {
      name: 'workers follow in order without an uplink',
      nodes: [cp, w1, { ...w1, name: 'w2', hostname: 'worker-2' }],
      addresses: ['10.77.0.10', '10.77.0.11', '10.77.0.12'],
      uplinks: [true, false, false],
    },
  ])('$name', ({ nodes, addresses, uplinks }) => {
    const plans = planVmNetwork({ tenantId: 't-1', nodes, apiHost });
    expect(plans.map((p) => p.address)).toEqual(addresses);
    expect(plans.map((p) => p.uplinkMac !== undefined)).toEqual(uplinks);
    expect(new Set(plans.flatMap((p) => [p.lanMac, p.uplinkMac]).filter(Boolean)).size).toBe(
      nodes.length + uplinks.filter(Boolean).length,
    );
  });

  it('resolves the API Service name to the control plane on every node, as the host cluster DNS would', () => {
    const plans = planVmNetwork({ tenantId: 't-1', nodes: [w1, cp], apiHost });
    for (const plan of plans) {
      const vendor = parse(plan.vendorData.replace('#cloud-config\n', '')) as { bootcmd: string[] };
      expect(vendor.bootcmd.join('\n')).toContain(`10.77.0.11 ${apiHost}`);
    }
  });

  it('names the hostname KubeVirt would give and a static address on the private NIC', () => {
    const [plan] = planVmNetwork({ tenantId: 't-1', nodes: [cp], apiHost });
    expect(parse(plan!.metaData)).toEqual({ 'instance-id': 't-1-cp', 'local-hostname': 'control-plane' });
    const network = parse(plan!.networkConfig) as { ethernets: Record<string, { addresses: string[] }> };
    expect(network.ethernets.lan?.addresses).toEqual(['10.77.0.10/24']);
  });

  it.each([
    { name: 'no control plane', nodes: [w1] },
    { name: 'two control planes', nodes: [cp, { ...cp, name: 'cp2' }] },
  ])('refuses $name', ({ nodes }) => {
    expect(() => planVmNetwork({ tenantId: 't-1', nodes, apiHost })).toThrow(/one control plane/);
  });
});
