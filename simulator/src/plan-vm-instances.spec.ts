// [simulator] Which VirtualMachineInstances the simulator keeps: one per Running VM, never touching VMIs it did not make.
import { describe, expect, it } from 'vitest';
import { planVmInstances, renderVmInstance } from './plan-vm-instances';
import { simulatedAnnotation, type VirtualMachine } from './virtual-machine';

function vm(name: string, printableStatus: string, uid = `uid-${name}`): VirtualMachine {
  return {
    metadata: { name, namespace: 'kubelabs-t1', uid, labels: { 'app.kubernetes.io/managed-by': 'kubelabs' } },
    spec: {
      runStrategy: 'Always',
      template: { metadata: { labels: { 'kubelabs.io/node-role': 'worker' } }, spec: { domain: { devices: {} } } },
    },
    status: { printableStatus },
  };
}

const own = (machine: VirtualMachine) => renderVmInstance(machine, 'host');

describe('planVmInstances', () => {
  it('creates a Running VMI with a guest IP for each Running VM that has none', () => {
    const plan = planVmInstances([vm('t1-cp', 'Running'), vm('t1-w1', 'Starting')], [], 'host');
    expect(plan.create.map((vmi) => vmi.metadata.name)).toEqual(['t1-cp']);
    const vmi = plan.create[0];
    expect(vmi?.status).toMatchObject({ phase: 'Running', nodeName: 'host' });
    expect(vmi?.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'kubelabs',
      'kubelabs.io/node-role': 'worker',
    });
    expect(vmi?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'VirtualMachine',
      uid: 'uid-t1-cp',
      controller: true,
    });
    expect(vmi?.spec).toEqual({ domain: { devices: {} } });
  });

  it('deletes its own VMIs whose VM stopped, failed, vanished or was replaced, and nothing else', () => {
    const foreign = {
      ...own(vm('t1-w9', 'Running')),
      metadata: { ...own(vm('t1-w9', 'Running')).metadata, annotations: {} },
    };
    const plan = planVmInstances(
      [
        vm('t1-cp', 'Running'),
        vm('t1-w1', 'Stopped'),
        vm('t1-w2', 'CrashLoopBackOff'),
        vm('t1-w3', 'Running', 'new-uid'),
      ],
      [
        own(vm('t1-cp', 'Running')),
        own(vm('t1-w1', 'Running')),
        own(vm('t1-w2', 'Running')),
        own(vm('t1-w3', 'Running')),
        own(vm('t1-gone', 'Running')),
        foreign,
      ],
      'host',
    );
    expect(plan.create).toEqual([]);
    expect(plan.delete.map((vmi) => vmi.metadata.name).toSorted()).toEqual(['t1-gone', 't1-w1', 't1-w2', 't1-w3']);
    expect(plan.delete.every((vmi) => vmi.metadata.annotations?.[simulatedAnnotation] === 'true')).toBe(true);
  });
});
