// Pure: from the VirtualMachines' status and the tenant API's nodes, how far a tenant is from ready.
export interface VmStatusView {
  name: string;
  printableStatus?: string;
  ready?: boolean;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export interface TenantNodeView {
  name: string;
  ready: boolean;
}

export type TenantReadiness =
  | { phase: 'booting'; message: string }
  | { phase: 'control-plane-ready'; message: string }
  | { phase: 'ready'; message: string }
  | { phase: 'failed'; reason: string; message: string };

/** VM states from which KubeVirt does not recover by itself. */
const failedStatuses = new Set([
  'CrashLoopBackOff',
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'DataVolumeError',
]);

export function computeTenantReadiness(
  expectedVms: string[],
  vms: VmStatusView[],
  nodes: TenantNodeView[] | null,
): TenantReadiness {
  const byName = new Map(vms.map((vm) => [vm.name, vm]));
  for (const name of expectedVms) {
    const vm = byName.get(name);
    if (vm?.printableStatus && failedStatuses.has(vm.printableStatus)) {
      const condition = vm.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
      return {
        phase: 'failed',
        reason: 'vm.boot_failed',
        message: `${name} is ${vm.printableStatus}${condition?.message ? `: ${condition.message}` : ''}`,
      };
    }
  }
  const running = expectedVms.filter((name) => byName.get(name)?.ready === true);
  if (running.length < expectedVms.length)
    return { phase: 'booting', message: `${running.length}/${expectedVms.length} virtual machines running` };
  if (nodes === null)
    return { phase: 'booting', message: 'virtual machines running; the tenant API does not answer yet' };
  const readyNodes = nodes.filter((n) => n.ready).length;
  if (readyNodes < expectedVms.length)
    return { phase: 'control-plane-ready', message: `${readyNodes}/${expectedVms.length} nodes Ready` };
  return { phase: 'ready', message: `${readyNodes} nodes Ready` };
}
