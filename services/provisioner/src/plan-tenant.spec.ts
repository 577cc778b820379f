// Table tests for the provisioner's pure planner and readiness rule: the step machine, the deadline, and what a live
// or releasing tenant gets on each pass.
import { describe, expect, it } from 'vitest';
import { computeTenantReadiness, type VmStatusView } from './compute-tenant-readiness';
import type { BootstrapProgress } from '@kubelabs/domain';
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
    bootstrap: null,
    readiness: null,
    conditions: [],
    ...overrides,
  };
}

const bothNodes = (workerReady: boolean) => [
  { name: 'controlplane', ready: true },
  { name: 'node01', ready: workerReady },
];
const bootstrapped: BootstrapProgress = { state: 'succeeded', message: '2 nodes bootstrapped' };
const result = (
  passed: boolean,
  title = 'node01 is NotReady',
  message = 'node node01 is Ready, expected NotReady',
) => ({
  index: 0,
  kind: 'node' as const,
  title,
  passed,
  message,
});

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
      name: 'the API answers but no bootstrap outcome is readable yet: bootstrapping',
      tenant: observed({ vms: vmNames.map(running), nodes: bothNodes(true) }),
      actions: ['apply:all', 'step:bootstrapping'],
      ready: 'False',
    },
    {
      name: 'a node reports a bootstrap step: bootstrapping, with that step',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: { state: 'running', node: 'node01', step: 'kubeadm join', message: 'node01: kubeadm join' },
      }),
      actions: ['apply:all', 'step:bootstrapping'],
      ready: 'False',
    },
    {
      name: 'a node reports a failed bootstrap: the tenant fails at once, long before its deadline',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: {
          state: 'failed',
          node: 'node01',
          step: 'kubeadm join',
          message: 'node01: kubeadm join: timed out',
        },
      }),
      actions: ['step:bootstrapping', 'fail:bootstrap.failed'],
      ready: 'False',
    },
    {
      name: 'bootstrapped, every node Ready and the default readiness holds: nodes-ready, then ready',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: bothNodes(true),
        bootstrap: bootstrapped,
        readiness: [result(true, 'every node is Ready', 'nodes controlplane, node01 are Ready')],
      }),
      actions: ['apply:all', 'step:nodes-ready', 'mark-ready'],
      ready: 'True',
    },
    {
      name: 'broken as intended: a NotReady worker the lab wants NotReady is ready',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: bootstrapped,
        readiness: [result(true, 'node01 is NotReady', 'node node01 is NotReady')],
      }),
      actions: ['apply:all', 'step:nodes-ready', 'mark-ready'],
      ready: 'True',
    },
    {
      name: 'a readiness check that does not hold yet: wait (control-plane-ready)',
      tenant: observed({
        vms: vmNames.map(running),
        nodes: bothNodes(true),
        bootstrap: bootstrapped,
        readiness: [result(false)],
      }),
      actions: ['apply:all', 'step:control-plane-ready'],
      ready: 'False',
    },
    {
      name: 'a readiness check that never held fails the tenant at its deadline',
      tenant: observed({ provisioningDeadline: earlier, vms: vmNames.map(running), readiness: [result(false)] }),
      actions: ['fail:readiness.check_failed'],
      ready: 'False',
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

  it('reports how many VMs and nodes are up, the bootstrap and the readiness checks in its conditions', () => {
    const plan = planTenant(
      observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: bootstrapped,
        readiness: [result(false)],
      }),
      now,
    );
    const summary = 'readiness check "node01 is NotReady" does not hold: node node01 is Ready, expected NotReady';
    expect(plan.conditions).toEqual([
      { type: 'VirtualMachinesReady', status: 'True', reason: 'Running', message: '2/2 virtual machines running' },
      { type: 'NodesReady', status: 'False', reason: 'NodesNotReady', message: '1/2 nodes Ready' },
      { type: 'Bootstrapped', status: 'True', reason: 'Succeeded', message: '2 nodes bootstrapped' },
      { type: 'ReadinessChecks', status: 'False', reason: 'Failing', message: summary },
      { type: 'Ready', status: 'False', reason: 'ReadinessChecksFailing', message: summary },
    ]);
  });

  it('names the failing node and bootstrap step in the failure, and each bootstrap step in the progress', () => {
    const failed = planTenant(
      observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: {
          state: 'failed',
          node: 'node01',
          step: 'kubeadm join',
          message: 'node01: kubeadm join: timed out',
        },
      }),
      now,
    );
    expect(failed.actions).toEqual([
      {
        type: 'record-step',
        step: 'bootstrapping',
        message: 'node01: kubeadm join: timed out',
        bootstrap: { node: 'node01', step: 'kubeadm join' },
      },
      { type: 'fail', reason: 'bootstrap.failed', message: 'bootstrap failed at node01: kubeadm join: timed out' },
    ]);
    const running_ = planTenant(
      observed({
        vms: vmNames.map(running),
        nodes: bothNodes(false),
        bootstrap: { state: 'running', node: 'controlplane', step: 'CNI', message: 'controlplane: CNI' },
      }),
      now,
    );
    expect(running_.actions[1]).toEqual({
      type: 'record-step',
      step: 'bootstrapping',
      message: 'controlplane: CNI',
      bootstrap: { node: 'controlplane', step: 'CNI' },
    });
  });

  it.each([
    {
      name: 'a readiness check recorded failing on an earlier pass',
      conditions: [
        {
          type: 'ReadinessChecks',
          status: 'False' as const,
          reason: 'Failing',
          message: 'readiness check "x" does not hold: y',
        },
      ],
      reason: 'readiness.check_failed',
      message: 'the provisioning deadline passed: readiness check "x" does not hold: y',
    },
    {
      name: 'a bootstrap stuck at a step',
      conditions: [{ type: 'Bootstrapped', status: 'False' as const, reason: 'Running', message: 'controlplane: CNI' }],
      reason: 'bootstrap.timeout',
      message: 'the provisioning deadline passed while bootstrapping controlplane: CNI',
    },
    {
      name: 'nothing more specific',
      conditions: [],
      reason: 'provision.timeout',
      message: 'the tenant was not ready before its provisioning deadline',
    },
  ])('explains a deadline failure by $name', ({ conditions, reason, message }) => {
    const plan = planTenant(observed({ provisioningDeadline: earlier, conditions }), now);
    expect(plan.actions).toEqual([{ type: 'fail', reason, message }]);
  });

  it('keeps showing what a live tenant was made ready on (bootstrap, readiness checks) while it lives', () => {
    const kept = [
      { type: 'Bootstrapped', status: 'True' as const, reason: 'Succeeded', message: '2 nodes bootstrapped' },
      { type: 'ReadinessChecks', status: 'True' as const, reason: 'Passed', message: '3 readiness checks hold' },
    ];
    const plan = planTenant(
      observed({
        state: 'claimed',
        conditions: [...kept, { type: 'NodesReady', status: 'False', reason: 'NodesNotReady', message: '1/2' }],
      }),
      now,
    );
    expect(plan.conditions.map((c) => c.type)).toEqual(['ObjectsApplied', 'Bootstrapped', 'ReadinessChecks', 'Ready']);
    expect(plan.conditions.slice(1, 3)).toEqual(kept);
  });

  it("fails at the deadline with the failing readiness check's message", () => {
    const plan = planTenant(observed({ provisioningDeadline: earlier, readiness: [result(false)] }), now);
    expect(plan.actions).toEqual([
      {
        type: 'fail',
        reason: 'readiness.check_failed',
        message:
          'the provisioning deadline passed: readiness check "node01 is NotReady" does not hold: node node01 is Ready, expected NotReady',
      },
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
