// [simulator] Table tests for the simulator's pure boot decision: no API server, no clock but the one passed in.
import { describe, expect, it } from 'vitest';
import { bootDelayMs, failsToBoot, planVmStatus, type BootOptions } from './plan-vm-status';
import type { VirtualMachine, VmStatus } from './virtual-machine';

const t0 = Date.parse('2026-11-20T10:00:00Z');
const at = (ms: number): Date => new Date(t0 + ms);
const options: BootOptions = { bootMs: 3000, failRatio: 0, seed: 'test' };

function vm(name: string, runStrategy: string | undefined, status?: VmStatus): VirtualMachine {
  return { metadata: { name, namespace: 'kubelabs-t1', uid: `uid-${name}` }, spec: { runStrategy }, status };
}

const running: VmStatus = {
  created: true,
  ready: true,
  printableStatus: 'Running',
  conditions: [
    { type: 'Ready', status: 'True', reason: '', message: '', lastTransitionTime: '2026-11-20T09:00:00Z' },
    { type: 'AgentConnected', status: 'True', reason: '', message: '', lastTransitionTime: '2026-11-20T09:00:00Z' },
  ],
};

describe('planVmStatus', () => {
  it.each([
    { name: 'a new VM with runStrategy Always starts booting', vm: vm('t1-cp', 'Always'), after: 0, want: 'Starting' },
    {
      name: 'a VM still inside its boot time stays Starting',
      vm: vm('t1-cp', 'Always', { printableStatus: 'Starting' }),
      after: 2999,
      want: 'Starting',
    },
    {
      name: 'a VM past its boot time and jitter turns Running',
      vm: vm('t1-cp', 'Always', { printableStatus: 'Starting' }),
      after: 4001,
      want: 'Running',
    },
    { name: 'a Halted VM is Stopped', vm: vm('t1-cp', 'Halted'), after: 0, want: 'Stopped' },
    {
      name: 'a Running VM whose runStrategy becomes Halted is Stopped',
      vm: vm('t1-cp', 'Halted', running),
      after: 0,
      want: 'Stopped',
    },
    { name: 'a Manual VM is Stopped', vm: vm('t1-cp', 'Manual'), after: 10_000, want: 'Stopped' },
    {
      name: 'a VM with the legacy running: true boots',
      vm: { ...vm('t1-cp', undefined), spec: { running: true } },
      after: 10_000,
      want: 'Running',
    },
  ])('$name', ({ vm: machine, after, want }) => {
    expect(planVmStatus(machine, t0, at(after), options)?.printableStatus).toBe(want);
  });

  it('writes nothing for a VM that is already Running, so a settled pool costs no writes', () => {
    expect(planVmStatus(vm('t1-cp', 'Always', running), t0, at(60_000), options)).toBeNull();
  });

  it('writes nothing while a booting VM already says Starting', () => {
    const starting = planVmStatus(vm('t1-cp', 'Always'), t0, at(0), options);
    expect(planVmStatus(vm('t1-cp', 'Always', starting ?? undefined), t0, at(1000), options)).toBeNull();
  });

  it('keeps a final outcome when the simulator restarts and sees the VM for the first time', () => {
    expect(planVmStatus(vm('t1-cp', 'Always', running), t0 + 60_000, at(60_000), options)).toBeNull();
  });

  it('writes the Running status KubeVirt would, with Ready and AgentConnected conditions', () => {
    const status = planVmStatus(vm('t1-cp', 'Always'), t0, at(10_000), options);
    expect(status).toEqual({
      created: true,
      ready: true,
      printableStatus: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', reason: '', message: '', lastTransitionTime: '2026-11-20T10:00:10Z' },
        { type: 'AgentConnected', status: 'True', reason: '', message: '', lastTransitionTime: '2026-11-20T10:00:10Z' },
      ],
    });
  });

  it('fails every VM with GuestBootFailed when failRatio is 1', () => {
    for (const name of ['a-cp', 'a-w1', 'b-cp', 'c-w7']) {
      const status = planVmStatus(vm(name, 'Always'), t0, at(10_000), { ...options, failRatio: 1 });
      expect(status).toMatchObject({ created: true, ready: false, printableStatus: 'CrashLoopBackOff' });
      expect(status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'GuestBootFailed' });
      expect(status?.conditions?.[0]?.message).toMatch(/^\[simulator\] /);
    }
  });

  it('heals a final status that lost its conditions', () => {
    const broken = vm('t1-cp', 'Always', { printableStatus: 'Running', ready: true, created: true });
    expect(planVmStatus(broken, t0, at(1), options)?.conditions?.map((c) => c.type)).toEqual([
      'Ready',
      'AgentConnected',
    ]);
  });

  it('keeps lastTransitionTime of a condition whose status does not change', () => {
    const starting = planVmStatus(vm('t1-cp', 'Always'), t0, at(0), options) ?? undefined;
    const stopped = planVmStatus(vm('t1-cp', 'Halted', starting), t0, at(5000), options);
    expect(stopped?.conditions?.[0]?.lastTransitionTime).toBe('2026-11-20T10:00:00Z');
  });
});

describe('boot chance and timing', () => {
  const names = Array.from({ length: 400 }, (_, i) => vm(`tenant-${i}-cp`, 'Always'));

  it('fails about failRatio of the VMs, the same ones on every run with the same seed', () => {
    const failing = names.filter((machine) => failsToBoot(machine, { failRatio: 0.25, seed: 's1' }));
    expect(failing.length).toBeGreaterThan(60);
    expect(failing.length).toBeLessThan(140);
    expect(names.filter((machine) => failsToBoot(machine, { failRatio: 0.25, seed: 's1' }))).toEqual(failing);
    expect(names.filter((machine) => failsToBoot(machine, { failRatio: 0.25, seed: 's2' }))).not.toEqual(failing);
  });

  it('never fails a VM with failRatio 0', () => {
    expect(names.some((machine) => failsToBoot(machine, { failRatio: 0, seed: 's1' }))).toBe(false);
  });

  it('spreads boot times over at most 20% (and at most one second) past bootMs', () => {
    const delays = names.map((machine) => bootDelayMs(machine, 3000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3600);
    expect(new Set(delays).size).toBeGreaterThan(50);
    expect(names.map((machine) => bootDelayMs(machine, 60_000)).every((d) => d <= 61_000)).toBe(true);
    expect(bootDelayMs(names[0]!, 0)).toBe(0);
  });
});
