// Table tests for the provisioner's pure planner and readiness rule: the step machine, the deadline, and what a live
// or releasing tenant gets on each pass.
import { describe, expect, it } from 'vitest';
import { computeTenantReadiness, type VmStatusView } from './compute-tenant-readiness';
import { planTenant, type ObservedTenant, type TenantAction } from './plan-tenant';
import { makeLab } from './render/render-tenant.fixtures';

const now = new Date('2026-12-07T12:00:00Z');
const later = new Date(now.getTime() + 600_000);
const earlier = new Date(now.getTime() - 1);
const lab = makeLab({ workers: 1 });
const vmNames = ['t-1-cp', 't-1-w1'];
const running = (name: string): VmStatusView => ({ name, printableStatus: 'Running', ready: true });
const starting = (name: string): VmStatusView => ({ name, printableStatus: 'Starting', ready: false });

function observed(overrides: Partial<ObservedTenant>): ObservedTenant {
  return {
    id: 't-1',
    state: 'provisioning',
    step: 'booting',
    provisioningDeadline: later,
    isolated: true,
    lab,
    credentials: 'present',
    expectedVms: vmNames,
    vms: null,
    nodes: null,
    namespace: null,
    ...overrides,
  };
}

const types = (actions: TenantAction[]) =>
  actions.map((a) =>
    a.type === 'apply'
      ? `apply:${a.scope}${a.mintCredentials ? '+mint' : ''}`
      : a.type === 'record-step'
        ? `step:${a.step}`
        : a.type === 'fail'
          ? `fail:${a.reason}`
          : a.type,
  );

describe('planTenant', () => {
  it.each([
    {
      name: 'a new tenant gets its namespace, then every object, with freshly minted credentials',
      tenant: observed({ step: 'requested', credentials: 'absent' }),
      actions: ['apply:namespace+mint', 'step:namespace', 'apply:all+mint', 'step:virtual-machines', 'step:booting'],
      ready: 'False',
    },
    {
      name: 'no VM before the network isolation exists: only the namespace, then wait',
      tenant: observed({ step: 'requested', credentials: 'absent', isolated: false }),
      actions: ['apply:namespace+mint', 'step:namespace'],
      ready: 'False',
    },
    {
      name: 'a tenant cut short after its namespace applies everything again, keeping the credentials it has',
      tenant: observed({ step: 'namespace', credentials: 'present' }),
      actions: ['apply:namespace', 'step:namespace', 'apply:all', 'step:virtual-machines', 'step:booting'],
      ready: 'False',
    },
    {
      name: 'a booting tenant keeps its objects applied and waits',
      tenant: observed({ vms: [running('t-1-cp'), starting('t-1-w1')] }),
      actions: ['apply:all'],
      ready: 'False',
    },
    {
      name: 'running VMs whose API does not answer are still booting',
      tenant: observed({ vms: vmNames.map(running), nodes: null }),
      actions: ['apply:all'],
      ready: 'False',
    },
    {
      name: 'the control plane Ready and a worker not yet: control-plane-ready',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: [
          { name: 'controlplane', ready: true },
          { name: 'node01', ready: false },
        ],
      }),
      actions: ['apply:all', 'step:control-plane-ready'],
      ready: 'False',
    },
    {
      name: 'every node Ready: nodes-ready, then ready',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: [
          { name: 'controlplane', ready: true },
          { name: 'node01', ready: true },
        ],
      }),
      actions: ['apply:all', 'step:nodes-ready', 'mark-ready'],
      ready: 'True',
    },
    {
      name: 'a VM that cannot boot fails the tenant at once',
      tenant: observed({
        vms: [{ name: 't-1-cp', printableStatus: 'CrashLoopBackOff', ready: false }, running('t-1-w1')],
      }),
      actions: ['fail:vm.boot_failed'],
      ready: 'False',
    },
    {
      name: 'past its deadline a provisioning tenant fails, whatever its step',
      tenant: observed({ provisioningDeadline: earlier, vms: vmNames.map(running) }),
      actions: ['fail:provision.timeout'],
      ready: 'False',
    },
    {
      name: 'a lab removed from the catalog fails a provisioning tenant',
      tenant: observed({ lab: null }),
      actions: ['fail:lab.not_found'],
      ready: 'False',
    },
    {
      name: 'credentials deleted while booting fail the tenant (new ones would not match booted VMs)',
      tenant: observed({ credentials: 'absent' }),
      actions: ['fail:tenant.credentials_lost'],
      ready: 'False',
    },
    {
      name: 'credentials that cannot be read back fail the tenant',
      tenant: observed({ credentials: 'malformed', step: 'requested' }),
      actions: ['fail:tenant.credentials_invalid'],
      ready: 'False',
    },
    {
      name: 'a ready tenant has its objects applied on every pass (restoring hand edits)',
      tenant: observed({ state: 'ready', step: 'nodes-ready' }),
      actions: ['apply:all'],
      ready: 'True',
    },
    {
      name: 'a claimed tenant too (its student key included)',
      tenant: observed({ state: 'claimed', step: 'nodes-ready' }),
      actions: ['apply:all'],
      ready: 'True',
    },
    {
      name: 'a live tenant whose credentials are gone is left as it is, and says so',
      tenant: observed({ state: 'claimed', credentials: 'absent' }),
      actions: [],
      ready: 'True',
    },
    {
      name: 'a releasing tenant whose namespace exists has it deleted',
      tenant: observed({ state: 'releasing', namespace: 'present' }),
      actions: ['delete-namespace'],
      ready: 'False',
    },
    {
      name: 'a releasing tenant waits while its namespace terminates',
      tenant: observed({ state: 'releasing', namespace: 'terminating' }),
      actions: [],
      ready: 'False',
    },
    {
      name: 'a releasing tenant whose namespace is gone is deleted',
      tenant: observed({ state: 'releasing', namespace: 'absent' }),
      actions: ['mark-deleted'],
      ready: 'False',
    },
    { name: 'a failed tenant needs nothing', tenant: observed({ state: 'failed' }), actions: [], ready: undefined },
    { name: 'a deleted tenant needs nothing', tenant: observed({ state: 'deleted' }), actions: [], ready: undefined },
  ])('$name', ({ tenant, actions, ready }) => {
    const plan = planTenant(tenant, now);
    expect(types(plan.actions)).toEqual(actions);
    expect(plan.conditions.find((c) => c.type === 'Ready')?.status).toBe(ready);
  });

  it('names the failing VM and its reason in the failure message', () => {
    const plan = planTenant(
      observed({
        vms: [
          {
            name: 't-1-cp',
            printableStatus: 'ErrImagePull',
            ready: false,
            conditions: [{ type: 'Ready', status: 'False', message: 'image not found' }],
          },
        ],
      }),
      now,
    );
    expect(plan.actions).toEqual([
      { type: 'fail', reason: 'vm.boot_failed', message: 't-1-cp is ErrImagePull: image not found' },
    ]);
  });

  it('reports how many VMs and nodes are up in its conditions', () => {
    const plan = planTenant(
      observed({
        vms: vmNames.map(running),
        nodes: [
          { name: 'controlplane', ready: true },
          { name: 'node01', ready: false },
        ],
      }),
      now,
    );
    expect(plan.conditions).toEqual([
      { type: 'VirtualMachinesReady', status: 'True', reason: 'Running', message: '2/2 virtual machines running' },
      { type: 'NodesReady', status: 'False', reason: 'NodesNotReady', message: '1/2 nodes Ready' },
      { type: 'Ready', status: 'False', reason: 'ControlPlaneReady', message: '1/2 nodes Ready' },
    ]);
  });
});

describe('computeTenantReadiness', () => {
  it.each([
    { name: 'no VM yet', vms: [], nodes: null, phase: 'booting', message: '0/2 virtual machines running' },
    {
      name: 'one VM running',
      vms: [running('t-1-cp')],
      nodes: null,
      phase: 'booting',
      message: '1/2 virtual machines running',
    },
    {
      name: 'all running, API silent',
      vms: vmNames.map(running),
      nodes: null,
      phase: 'booting',
      message: 'virtual machines running; the tenant API does not answer yet',
    },
    {
      name: 'API answers with no node',
      vms: vmNames.map(running),
      nodes: [],
      phase: 'control-plane-ready',
      message: '0/2 nodes Ready',
    },
    {
      name: 'every node Ready',
      vms: vmNames.map(running),
      nodes: [
        { name: 'a', ready: true },
        { name: 'b', ready: true },
      ],
      phase: 'ready',
      message: '2 nodes Ready',
    },
    {
      name: 'an unschedulable VM fails',
      vms: [{ name: 't-1-w1', printableStatus: 'ErrorUnschedulable', ready: false }],
      nodes: null,
      phase: 'failed',
      message: 't-1-w1 is ErrorUnschedulable',
    },
    {
      name: 'a VM of another tenant does not count',
      vms: [running('t-2-cp'), running('t-2-w1')],
      nodes: null,
      phase: 'booting',
      message: '0/2 virtual machines running',
    },
  ])('$name: $phase', ({ vms, nodes, phase, message }) => {
    const readiness = computeTenantReadiness(vmNames, vms, nodes);
    expect(readiness.phase).toBe(phase);
    expect(readiness.message).toBe(message);
  });
});
