// What one tenant of a lab costs the host: guest memory plus KubeVirt's per-VM overhead, and vCPUs. Capacity planning
// with the seed's flat 100 MiB overhead over-packed hosts; this uses Red Hat's published formula instead.
import { computeVmOverheadMiB, defaultVmOverhead, listTenantVms, type LabTopology } from '@kubelabs/domain';

/** Host resources, in the units Kubernetes allocatable figures convert to without loss. */
export interface ResourceAmount {
  memoryMiB: number;
  cpuMillis: number;
}

export interface TenantCostOptions {
  /** Graphics devices per VM: 1 in KubeVirt's default, 0 when `autoattachGraphicsDevice: false` (our provisioner). */
  graphicsDevicesPerVm: number;
  /** CPU the host spends per VM beyond its vCPUs (virt-launcher, QEMU threads). */
  cpuOverheadMillisPerVm: number;
}

export const defaultTenantCostOptions: TenantCostOptions = { graphicsDevicesPerVm: 0, cpuOverheadMillisPerVm: 100 };

export function computeTenantCost(
  topology: LabTopology,
  options: TenantCostOptions = defaultTenantCostOptions,
): ResourceAmount {
  return sumResources(
    listTenantVms(topology).map((vm) => ({
      memoryMiB:
        vm.memoryMiB +
        computeVmOverheadMiB(vm, { ...defaultVmOverhead, graphicsDevicesPerVm: options.graphicsDevicesPerVm }),
      cpuMillis: vm.cpu * 1000 + options.cpuOverheadMillisPerVm,
    })),
  );
}

export function sumResources(amounts: readonly ResourceAmount[]): ResourceAmount {
  return amounts.reduce(
    (sum, a) => ({ memoryMiB: sum.memoryMiB + a.memoryMiB, cpuMillis: sum.cpuMillis + a.cpuMillis }),
    {
      memoryMiB: 0,
      cpuMillis: 0,
    },
  );
}
