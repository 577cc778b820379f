// Table test for planTenantQuota: a tenant's quota from its lab's topology, KubeVirt's per-VM overhead, the headroom
// and the Service allowances. With no headroom the CPU and memory equal the pool manager's computeTenantCost.
import { describe, expect, it } from 'vitest';
import { computeVmOverheadMiB } from '@kubelabs/domain';
import { applyLabQuotaOverrides, cpuQuantity, memoryQuantity, planTenantQuota } from './index';
import { makeTopology, quotaSettings, tenantA } from './enforcer-render.fixtures';

describe('planTenantQuota', () => {
  it.each([
    {
      name: 'a control plane alone, defaults',
      // 2048 + ceil(218 + 8*2 + 0.002*2048) = 2287 MiB; 2100 m; +10 %
      topology: makeTopology(0),
      env: {},
      hard: {
        'requests.cpu': '2310m',
        'requests.memory': '2516Mi',
        pods: '5',
        // The exposure Service's two, plus QUOTA_SYNCED_NODEPORTS (8) for what the syncer exposes.
        'services.nodeports': '10',
        'services.loadbalancers': '0',
      },
    },
    {
      name: 'a control plane and three small workers, defaults',
      // 2287 + 3 * (1024 + ceil(218 + 8 + 2.048)) = 6046 MiB; 2100 + 3 * 1100 = 5400 m; +10 %
      topology: makeTopology(3, { cpu: 1, memoryMiB: 1024 }),
      env: {},
      hard: {
        'requests.cpu': '5940m',
        'requests.memory': '6651Mi',
        pods: '8',
        // The exposure Service's two, plus QUOTA_SYNCED_NODEPORTS (8) for what the syncer exposes.
        'services.nodeports': '10',
        'services.loadbalancers': '0',
      },
    },
    {
      name: 'no headroom, LoadBalancer exposure and a syncer allowance',
      // 8192 + 267 + 2 * (4096 + 243) = 17137 MiB; 4100 + 2 * 2100 = 8300 m: the pool manager's cost exactly
      topology: { controlPlane: { cpu: 4, memoryMiB: 8192 }, workers: { count: 2, cpu: 2, memoryMiB: 4096 } },
      env: {
        QUOTA_HEADROOM_PERCENT: '0',
        EXPOSURE_SERVICE_TYPE: 'LoadBalancer',
        QUOTA_SYNCED_NODEPORTS: '3',
        QUOTA_SYNCED_LOADBALANCERS: '1',
        QUOTA_EXTRA_PODS: '2',
      },
      hard: {
        'requests.cpu': '8300m',
        'requests.memory': '17137Mi',
        pods: '5',
        'services.nodeports': '5',
        'services.loadbalancers': '2',
      },
    },
    {
      name: 'a graphics device per VM and 25 % headroom',
      // 1024 + ceil(218 + 8 + 16 + 2.048) = 1269 MiB; 1100 m; +25 %
      topology: { controlPlane: { cpu: 1, memoryMiB: 1024 }, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
      env: { KUBEVIRT_GRAPHICS_DEVICES_PER_VM: '1', QUOTA_HEADROOM_PERCENT: '25' },
      hard: {
        'requests.cpu': '1375m',
        'requests.memory': '1587Mi',
        pods: '5',
        // The exposure Service's two, plus QUOTA_SYNCED_NODEPORTS (8) for what the syncer exposes.
        'services.nodeports': '10',
        'services.loadbalancers': '0',
      },
    },
  ])('sizes the quota for $name', ({ topology, env, hard }) => {
    const { resourceQuota } = planTenantQuota(tenantA, topology, quotaSettings(env));
    expect(resourceQuota.spec).toEqual({ hard });
  });

  it.each([
    {
      name: 'no overrides: the settings as they are',
      overrides: undefined,
      env: {},
      hard: { 'requests.cpu': '2310m', 'requests.memory': '2516Mi', pods: '5' },
      defaultRequest: { cpu: '50m', memory: '64Mi' },
    },
    {
      name: 'a lab with more headroom and pods',
      // 2287 MiB and 2100 m as above, +30 %
      overrides: { headroomPercent: 30, extraPods: 10 },
      env: {},
      hard: { 'requests.cpu': '2730m', 'requests.memory': '2974Mi', pods: '11' },
      defaultRequest: { cpu: '50m', memory: '64Mi' },
    },
    {
      name: 'a lab with no headroom over a platform with 50 % (0 is an override, not a missing value)',
      overrides: { headroomPercent: 0, extraPods: 0 },
      env: { QUOTA_HEADROOM_PERCENT: '50' },
      hard: { 'requests.cpu': '2100m', 'requests.memory': '2287Mi', pods: '1' },
      defaultRequest: { cpu: '50m', memory: '64Mi' },
    },
    {
      name: 'a lab that overrides only the default memory request',
      overrides: { defaultContainerRequest: { memoryMiB: 256 } },
      env: { QUOTA_DEFAULT_CONTAINER_CPU_MILLIS: '100' },
      hard: { 'requests.cpu': '2310m', 'requests.memory': '2516Mi', pods: '5' },
      defaultRequest: { cpu: '100m', memory: '256Mi' },
    },
  ])('lays lab overrides over the settings: $name', ({ overrides, env, hard, defaultRequest }) => {
    const settings = applyLabQuotaOverrides(quotaSettings(env), overrides);
    const { resourceQuota, limitRange } = planTenantQuota(tenantA, makeTopology(0), settings);
    expect(resourceQuota.spec.hard).toMatchObject(hard);
    expect(limitRange.spec.limits[0]?.defaultRequest).toEqual(defaultRequest);
  });

  it('bounds requests only, and gives containers without requests a default so that they count', () => {
    const { resourceQuota, limitRange } = planTenantQuota(tenantA, makeTopology(1), quotaSettings());
    expect(Object.keys(resourceQuota.spec.hard).filter((key) => key.startsWith('limits.'))).toEqual([]);
    expect(limitRange.spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '50m', memory: '64Mi' } }],
    });
  });

  it('labels both objects as the quota set of the tenant, in its namespace', () => {
    const { resourceQuota, limitRange } = planTenantQuota(tenantA, makeTopology(1), quotaSettings());
    expect([resourceQuota.metadata, limitRange.metadata]).toEqual([
      { name: 'tenant-quota', namespace: tenantA.namespace, labels: expect.any(Object) },
      { name: 'tenant-limits', namespace: tenantA.namespace, labels: expect.any(Object) },
    ]);
    for (const object of [resourceQuota, limitRange]) {
      expect(object.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'kubelabs',
        'kubelabs.io/platform': 'spec',
        'kubelabs.io/tenant': tenantA.id,
        'kubelabs.io/component': 'netpol-enforcer',
        'kubelabs.io/object-set': 'quota',
      });
    }
  });

  it.each([
    { vm: { cpu: 1, memoryMiB: 512 }, graphics: 0, overhead: 228 },
    { vm: { cpu: 2, memoryMiB: 2048 }, graphics: 0, overhead: 239 },
    { vm: { cpu: 8, memoryMiB: 16384 }, graphics: 1, overhead: 331 },
  ])('computes KubeVirt overhead of $vm.cpu vCPU, $vm.memoryMiB MiB as $overhead MiB', ({ vm, graphics, overhead }) => {
    const settings = quotaSettings({ KUBEVIRT_GRAPHICS_DEVICES_PER_VM: String(graphics) });
    expect(computeVmOverheadMiB(vm, settings.vmOverhead)).toBe(overhead);
  });

  it.each([
    { millis: 50, cpu: '50m' },
    { millis: 2000, cpu: '2' },
    { millis: 2310, cpu: '2310m' },
  ])('writes $millis millicores as the API server does: $cpu', ({ millis, cpu }) => {
    expect(cpuQuantity(millis)).toBe(cpu);
  });

  it.each([
    { mebibytes: 64, memory: '64Mi' },
    { mebibytes: 2048, memory: '2Gi' },
    { mebibytes: 2516, memory: '2516Mi' },
    { mebibytes: 1024 * 1024, memory: '1Ti' },
  ])('writes $mebibytes MiB as the API server does: $memory', ({ mebibytes, memory }) => {
    expect(memoryQuantity(mebibytes)).toBe(memory);
  });
});
