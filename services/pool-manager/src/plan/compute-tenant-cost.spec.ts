import { describe, expect, it } from 'vitest';
import { computeVmOverheadMiB, defaultVmOverhead } from '@kubelabs/domain';
import { computeTenantCost } from './compute-tenant-cost';

const controlPlane = { cpu: 2, memoryMiB: 1536 };

describe('computeVmOverheadMiB', () => {
  it.each([
    // product.md: "about 250 MiB for a 1.5 GiB, 2-vCPU VM" (218 + 16 + 16 + 3.07, rounded up)
    {
      name: 'the product example with one graphics device is about 250 MiB',
      vm: controlPlane,
      graphics: 1,
      expected: 254,
    },
    { name: 'the product example without graphics (our provisioner)', vm: controlPlane, graphics: 0, expected: 238 },
    { name: 'a 1 GiB, 1-vCPU worker', vm: { cpu: 1, memoryMiB: 1024 }, graphics: 0, expected: 229 },
    {
      name: 'an 8 GiB, 4-vCPU VM grows with memory and vCPUs',
      vm: { cpu: 4, memoryMiB: 8192 },
      graphics: 0,
      expected: 267,
    },
  ])('$name', ({ vm, graphics, expected }) => {
    expect(computeVmOverheadMiB(vm, { ...defaultVmOverhead, graphicsDevicesPerVm: graphics })).toBe(expected);
  });
});

describe('computeTenantCost', () => {
  it.each([
    {
      name: 'a control plane alone costs its guest memory plus overhead, and its vCPUs plus 0.1 core',
      topology: { controlPlane, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
      options: undefined,
      expected: { memoryMiB: 1536 + 238, cpuMillis: 2100 },
    },
    {
      name: 'the seed lab (1.5 GiB control plane, two 1 GiB workers) costs about 4.2 GiB and 4.3 cores',
      topology: { controlPlane, workers: { count: 2, cpu: 1, memoryMiB: 1024 } },
      options: undefined,
      expected: { memoryMiB: 1536 + 238 + 2 * (1024 + 229), cpuMillis: 2100 + 2 * 1100 },
    },
    {
      name: 'graphics devices and CPU overhead are parameters',
      topology: { controlPlane, workers: { count: 1, cpu: 1, memoryMiB: 1024 } },
      options: { graphicsDevicesPerVm: 1, cpuOverheadMillisPerVm: 250 },
      expected: { memoryMiB: 1536 + 254 + 1024 + 245, cpuMillis: 2250 + 1250 },
    },
  ])('$name', ({ topology, options, expected }) => {
    expect(computeTenantCost(topology, options)).toEqual(expected);
  });
});
