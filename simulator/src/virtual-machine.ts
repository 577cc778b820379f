// [simulator] The slice of KubeVirt's VirtualMachine and VirtualMachineInstance objects that the simulator reads and
// writes, and the label keys it shares with the provisioner's rendering. Not product code.

export const kubevirt = { group: 'kubevirt.io', version: 'v1' } as const;

import { labelKeys, managedByValue } from '@kubelabs/domain';

export { labelKeys, managedByValue };

/** Marks the VirtualMachineInstances the simulator made, so it never deletes one it did not make. */
export const simulatedAnnotation = 'simulator.kubelabs.io/simulated';

export interface VmCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
}

export interface VmStatus {
  created?: boolean;
  ready?: boolean;
  printableStatus?: string;
  conditions?: VmCondition[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
}

export interface VirtualMachine {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    runStrategy?: string;
    running?: boolean;
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: { hostname?: string; [field: string]: unknown };
    };
  };
  status?: VmStatus;
}

export interface VirtualMachineInstance {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: { phase?: string; [field: string]: unknown };
}

export function vmKey(vm: { metadata: Pick<ObjectMeta, 'namespace' | 'name'> }): string {
  return `${vm.metadata.namespace}/${vm.metadata.name}`;
}

/** The guest's role in its tenant cluster, from the VMI template labels (the provisioner sets both). */
export function nodeRoleOf(vm: VirtualMachine): string | undefined {
  return vm.spec?.template?.metadata?.labels?.[labelKeys.nodeRole] ?? vm.metadata.labels?.[labelKeys.nodeRole];
}
