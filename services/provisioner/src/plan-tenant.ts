// Pure: from what observe-tenant saw, what the provisioner does next for one tenant, and the tenant's conditions.
// Holds the step machine (namespace → virtual-machines → booting → bootstrapping → control-plane-ready → nodes-ready →
// ready: the nodes' bootstrap reported success and the lab's readiness checks hold) and the deadline rule. Desired objects are applied on every pass of a live tenant (provisioning, ready, claimed), so an
// object deleted or edited by hand is restored; server-side apply makes an unchanged object a no-op.
import {
  explainDeadlineFailure,
  summarizeReadiness,
  type BootstrapProgress,
  type CheckResult,
  type Lab,
  type TenantState,
} from '@kubelabs/domain';
import type { ConditionUpdate } from '@kubelabs/persistence';
import { computeTenantReadiness, type TenantNodeView, type VmStatusView } from './compute-tenant-readiness';

export type ProvisioningStep =
  'namespace' | 'virtual-machines' | 'booting' | 'bootstrapping' | 'control-plane-ready' | 'nodes-ready';

export interface ObservedTenant {
  id: string;
  state: TenantState;
  step?: string;
  provisioningDeadline: Date;
  /** The lab as the catalog holds it now; null when it was removed. */
  lab: Lab | null;
  /**
   * Whether the network-policy enforcer has applied the tenant's baseline isolation (it records the moment on the
   * tenant). No VirtualMachine is applied before: a VM never runs unisolated, even for a second.
   */
  isolated: boolean;
  /** Whether the tenant-pki Secret exists (the one durable copy of the tenant's credentials). */
  credentials: 'present' | 'absent' | 'malformed';
  /** Names of the VMs the lab's topology asks for. */
  expectedVms: string[];
  /** The VMs' status; observed only for a provisioning tenant whose objects were applied. */
  vms: VmStatusView[] | null;
  /** The tenant API's nodes; null while it does not answer or was not asked. */
  nodes: TenantNodeView[] | null;
  /** The host namespace; observed only for a releasing tenant. */
  namespace: 'present' | 'terminating' | 'absent' | null;
  /** The nodes' bootstrap outcomes read through the tenant API; null while it does not answer or was not asked. */
  bootstrap: BootstrapProgress | null;
  /** The lab's readiness checks, evaluated once the bootstrap succeeded; null before. */
  readiness: CheckResult[] | null;
  /** The conditions recorded on earlier passes (what the tenant was made ready on stays visible while it lives). */
  conditions: ConditionUpdate[];
}

export type TenantAction =
  /** Server-side apply the tenant's desired objects; `scope: 'namespace'` applies only the Namespace. */
  | { type: 'apply'; scope: 'namespace' | 'all'; mintCredentials: boolean }
  | { type: 'record-step'; step: ProvisioningStep; message: string; bootstrap?: { node: string; step: string } }
  | { type: 'mark-ready' }
  | { type: 'fail'; reason: string; message: string }
  | { type: 'delete-namespace' }
  | { type: 'mark-deleted' };

export interface TenantPlan {
  actions: TenantAction[];
  conditions: ConditionUpdate[];
}

/** Steps before which the objects have not all been applied yet (a fresh tenant, or one cut short by a crash). */
const beforeObjects = new Set([undefined, 'requested', 'namespace']);

export function planTenant(observed: ObservedTenant, now: Date): TenantPlan {
  switch (observed.state) {
    case 'provisioning':
      return planProvisioning(observed, now);
    case 'ready':
    case 'claimed':
      return planLive(observed);
    case 'releasing':
      return planReleasing(observed);
    default:
      return { actions: [], conditions: [] };
  }
}

function planProvisioning(observed: ObservedTenant, now: Date): TenantPlan {
  const fail = (reason: string, message: string): TenantPlan => ({
    actions: [{ type: 'fail', reason, message }],
    conditions: [condition('Ready', 'False', reason, message)],
  });
  if (now >= observed.provisioningDeadline) {
    // A readiness check that never held (or a bootstrap stuck at a step) says more than "too late". This pass's
    // results first, else what earlier passes recorded.
    const latest = observed.readiness?.some((result) => !result.passed)
      ? [condition('ReadinessChecks', 'False', 'Failing', summarizeReadiness(observed.readiness))]
      : observed.conditions;
    const { reason, message } = explainDeadlineFailure(latest);
    return fail(reason, message);
  }
  if (!observed.lab) return fail('lab.not_found', 'the lab is no longer in the catalog');
  if (observed.credentials === 'malformed')
    return fail('tenant.credentials_invalid', 'the tenant-pki Secret cannot be read back');

  const workers = observed.lab.topology.workers.count;
  if (beforeObjects.has(observed.step)) {
    // Until every object is applied, a pass applies them all again: a crash half-way is harmless. Credentials are
    // minted only here, while no VM can have booted with earlier ones.
    const mint = observed.credentials === 'absent';
    if (!observed.isolated)
      return {
        actions: [
          { type: 'apply', scope: 'namespace', mintCredentials: mint },
          { type: 'record-step', step: 'namespace', message: 'namespace applied; waiting for its network isolation' },
        ],
        conditions: [condition('Ready', 'False', 'Isolating', 'waiting for the baseline network policies')],
      };
    return {
      actions: [
        { type: 'apply', scope: 'namespace', mintCredentials: mint },
        { type: 'record-step', step: 'namespace', message: 'namespace applied' },
        { type: 'apply', scope: 'all', mintCredentials: mint },
        { type: 'record-step', step: 'virtual-machines', message: `${1 + workers} virtual machines applied` },
        { type: 'record-step', step: 'booting', message: 'waiting for the virtual machines to boot' },
      ],
      conditions: [condition('Ready', 'False', 'Provisioning', 'applying the tenant objects')],
    };
  }

  if (observed.credentials === 'absent')
    // VMs may have booted with the lost credentials: new ones would never match them. Rebuild instead.
    return fail('tenant.credentials_lost', 'the tenant-pki Secret was deleted while the tenant was booting');

  const apply: TenantAction = { type: 'apply', scope: 'all', mintCredentials: false };
  const readiness = computeTenantReadiness(observed.expectedVms, observed.vms ?? [], observed.nodes);
  const vmsRunning = (observed.vms ?? []).filter((vm) => vm.ready === true).length;
  const conditions = [
    condition(
      'VirtualMachinesReady',
      vmsRunning === observed.expectedVms.length ? 'True' : 'False',
      vmsRunning === observed.expectedVms.length ? 'Running' : 'Booting',
      `${vmsRunning}/${observed.expectedVms.length} virtual machines running`,
    ),
    ...(observed.nodes
      ? [
          condition(
            'NodesReady',
            readiness.phase === 'ready' ? 'True' : 'False',
            readiness.phase === 'ready' ? 'NodesReady' : 'NodesNotReady',
            `${observed.nodes.filter((n) => n.ready).length}/${observed.expectedVms.length} nodes Ready`,
          ),
        ]
      : []),
  ];
  switch (readiness.phase) {
    case 'failed':
      return {
        actions: [{ type: 'fail', reason: readiness.reason, message: readiness.message }],
        conditions: [...conditions, condition('Ready', 'False', readiness.reason, readiness.message)],
      };
    case 'booting':
      return {
        actions: [apply],
        conditions: [...conditions, condition('Ready', 'False', 'Booting', readiness.message)],
      };
    case 'control-plane-ready':
    case 'ready':
      // The API answers: from here the nodes' bootstrap outcomes and the lab's readiness checks decide, not whether
      // every node is Ready (a lab may break a node on purpose).
      return planBootstrapped(observed, apply, conditions);
  }
}

function planBootstrapped(observed: ObservedTenant, apply: TenantAction, conditions: ConditionUpdate[]): TenantPlan {
  const bootstrap = observed.bootstrap ?? { state: 'unknown', message: 'the bootstrap outcomes are not readable yet' };
  const bootstrapped = condition(
    'Bootstrapped',
    bootstrap.state === 'succeeded' ? 'True' : 'False',
    { unknown: 'Waiting', running: 'Running', succeeded: 'Succeeded', failed: 'Failed' }[bootstrap.state],
    bootstrap.message,
  );
  if (bootstrap.state === 'failed')
    // The node stopped: it will not get further by itself. Fail now, naming the step, not at the deadline; the
    // progress shows the step it stopped at first.
    return {
      actions: [
        {
          type: 'record-step',
          step: 'bootstrapping',
          message: bootstrap.message,
          bootstrap: { node: bootstrap.node, step: bootstrap.step },
        },
        { type: 'fail', reason: 'bootstrap.failed', message: `bootstrap failed at ${bootstrap.message}` },
      ],
      conditions: [
        ...conditions,
        bootstrapped,
        condition('Ready', 'False', 'bootstrap.failed', `bootstrap failed at ${bootstrap.message}`),
      ],
    };
  if (bootstrap.state !== 'succeeded' || observed.readiness === null)
    return {
      actions: [
        apply,
        {
          type: 'record-step',
          step: 'bootstrapping',
          message: bootstrap.message,
          ...(bootstrap.state === 'running' ? { bootstrap: { node: bootstrap.node, step: bootstrap.step } } : {}),
        },
      ],
      conditions: [...conditions, bootstrapped, condition('Ready', 'False', 'Bootstrapping', bootstrap.message)],
    };

  const failing = observed.readiness.filter((result) => !result.passed);
  const summary = summarizeReadiness(observed.readiness);
  const checks = condition(
    'ReadinessChecks',
    failing.length === 0 ? 'True' : 'False',
    failing.length === 0 ? 'Passed' : 'Failing',
    summary,
  );
  if (failing.length > 0)
    return {
      actions: [apply, { type: 'record-step', step: 'control-plane-ready', message: summary }],
      conditions: [...conditions, bootstrapped, checks, condition('Ready', 'False', 'ReadinessChecksFailing', summary)],
    };
  return {
    actions: [apply, { type: 'record-step', step: 'nodes-ready', message: summary }, { type: 'mark-ready' }],
    conditions: [...conditions, bootstrapped, checks, condition('Ready', 'True', 'ReadinessChecksPassed', summary)],
  };
}

function planLive(observed: ObservedTenant): TenantPlan {
  const ready = condition(
    'Ready',
    'True',
    observed.state === 'claimed' ? 'Claimed' : 'Ready',
    `the tenant is ${observed.state}`,
  );
  if (!observed.lab)
    // The lab left the catalog: the pool manager retires the tenant; nothing can be rendered meanwhile.
    return {
      actions: [],
      conditions: [condition('ObjectsApplied', 'False', 'LabNotFound', 'the lab is no longer in the catalog'), ready],
    };
  if (observed.credentials !== 'present')
    // The credentials were the VMs' trust root: minting new ones would not match the running cluster.
    return {
      actions: [],
      conditions: [
        condition(
          'ObjectsApplied',
          'False',
          'CredentialsLost',
          `the tenant-pki Secret is ${observed.credentials}; the tenant's objects cannot be restored`,
        ),
        ready,
      ],
    };
  return {
    actions: [{ type: 'apply', scope: 'all', mintCredentials: false }],
    conditions: [
      condition('ObjectsApplied', 'True', 'Applied', 'every desired object is applied'),
      ...carried(observed),
      ready,
    ],
  };
}

/** What the tenant was made ready on (its bootstrap, its readiness checks), kept for operators while it lives. */
function carried(observed: ObservedTenant): ConditionUpdate[] {
  return observed.conditions.filter((c) => c.type === 'Bootstrapped' || c.type === 'ReadinessChecks');
}

function planReleasing(observed: ObservedTenant): TenantPlan {
  const released = condition('Ready', 'False', 'Released', 'the tenant is being torn down');
  switch (observed.namespace) {
    case 'present':
      return { actions: [{ type: 'delete-namespace' }], conditions: [released] };
    case 'absent':
      return { actions: [{ type: 'mark-deleted' }], conditions: [released] };
    default:
      // Terminating: the namespace controller finishes it; the next pass sees it gone.
      return { actions: [], conditions: [released] };
  }
}

function condition(type: string, status: ConditionUpdate['status'], reason: string, message: string): ConditionUpdate {
  return { type, status, reason, message };
}
