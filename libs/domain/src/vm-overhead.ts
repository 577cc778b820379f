// What a tenant's VMs cost the host beyond their guest memory: KubeVirt's per-VM overhead (Red Hat's published
// formula), one formula for the pool manager's capacity planning and the enforcer's quotas. Pure.
import type { LabTopology, NodeSize } from './lab';

export interface VmOverhead {
  baseMiB: number;
  mibPerVcpu: number;
  /** Per mille of guest memory (2 = 0.2 %). */
  guestMemoryPermille: number;
  /** 1 in KubeVirt's default, 0 when `autoattachGraphicsDevice: false` (our provisioner). */
  graphicsDevicesPerVm: number;
  mibPerGraphicsDevice: number;
  /** CPU the host spends per VM beyond its vCPUs (virt-launcher, QEMU threads). */
  cpuMillisPerVm: number;
}

/** 218 MiB + 8 MiB per vCPU + 16 MiB per graphics device + 0.2 % of guest memory; 100 millicores per VM. */
export const defaultVmOverhead: VmOverhead = {
  baseMiB: 218,
  mibPerVcpu: 8,
  guestMemoryPermille: 2,
  graphicsDevicesPerVm: 0,
  mibPerGraphicsDevice: 16,
  cpuMillisPerVm: 100,
};

/** KubeVirt's memory overhead of one VM (virt-launcher and QEMU), rounded up to whole MiB. */
export function computeVmOverheadMiB(vm: NodeSize, overhead: VmOverhead = defaultVmOverhead): number {
  return Math.ceil(
    overhead.baseMiB +
      overhead.mibPerVcpu * vm.cpu +
      overhead.mibPerGraphicsDevice * overhead.graphicsDevicesPerVm +
      (overhead.guestMemoryPermille * vm.memoryMiB) / 1000,
  );
}

/** The VMs a tenant of this topology runs: one control plane, then its workers. */
export function listTenantVms(topology: LabTopology): NodeSize[] {
  const worker: NodeSize = { cpu: topology.workers.cpu, memoryMiB: topology.workers.memoryMiB };
  return [topology.controlPlane, ...Array.from({ length: topology.workers.count }, () => worker)];
}
