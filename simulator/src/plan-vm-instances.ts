// [simulator] KubeVirt runs a VirtualMachineInstance for each running VM; the simulator mirrors that so code that
// reads VMIs (phase, guest IP) sees what a real cluster would show. Pure: which VMIs to create and which to delete.
import { simulatedIp } from './hash-name';
import {
  kubevirt,
  simulatedAnnotation,
  vmKey,
  type VirtualMachine,
  type VirtualMachineInstance,
} from './virtual-machine';

export interface InstancePlan {
  create: VirtualMachineInstance[];
  /** Only VMIs the simulator made itself (annotated) whose VM is gone, replaced or no longer Running. */
  delete: VirtualMachineInstance[];
}

function isRunning(vm: VirtualMachine): boolean {
  return vm.status?.printableStatus === 'Running' && !vm.metadata.deletionTimestamp;
}

export function renderVmInstance(vm: VirtualMachine, nodeName: string): VirtualMachineInstance {
  const ip = simulatedIp(vmKey(vm));
  const templateLabels = vm.spec?.template?.metadata?.labels ?? {};
  return {
    apiVersion: `${kubevirt.group}/${kubevirt.version}`,
    kind: 'VirtualMachineInstance',
    metadata: {
      name: vm.metadata.name,
      namespace: vm.metadata.namespace,
      labels: { ...vm.metadata.labels, ...templateLabels },
      annotations: { [simulatedAnnotation]: 'true' },
      ownerReferences: vm.metadata.uid
        ? [
            {
              apiVersion: `${kubevirt.group}/${kubevirt.version}`,
              kind: 'VirtualMachine',
              name: vm.metadata.name,
              uid: vm.metadata.uid,
              controller: true,
            },
          ]
        : [],
    },
    spec: { ...vm.spec?.template?.spec },
    // The VMI CRD has no status subresource: the status goes in with the create.
    status: {
      phase: 'Running',
      nodeName,
      interfaces: [{ name: 'default', ipAddress: ip, ipAddresses: [ip], infoSource: 'domain, guest-agent' }],
    },
  };
}

export function planVmInstances(
  vms: VirtualMachine[],
  instances: VirtualMachineInstance[],
  nodeName: string,
): InstancePlan {
  const running = new Map(vms.filter(isRunning).map((vm) => [vmKey(vm), vm]));
  const present = new Map(instances.map((vmi) => [vmKey(vmi), vmi]));
  const stale = (vmi: VirtualMachineInstance): boolean => {
    const vm = running.get(vmKey(vmi));
    const owner = vmi.metadata.ownerReferences?.find((ref) => ref.controller)?.uid;
    return !vm || (owner !== undefined && vm.metadata.uid !== undefined && owner !== vm.metadata.uid);
  };
  return {
    create: [...running.values()].filter((vm) => !present.has(vmKey(vm))).map((vm) => renderVmInstance(vm, nodeName)),
    delete: instances.filter(
      (vmi) =>
        vmi.metadata.annotations?.[simulatedAnnotation] === 'true' && !vmi.metadata.deletionTimestamp && stale(vmi),
    ),
  };
}
