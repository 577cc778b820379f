// The lab checks' vocabulary: what a lab declares must hold before a tenant joins the pool (readiness, "broken as
// intended") and what says the student solved it (solution). One small declarative form, evaluated by the platform.

/** Which nodes a check is about: one by name, every node of a role, or (neither) every node of the tenant. */
export interface NodeSelection {
  /** A node name as kubeadm registers it: `controlplane`, `node01`, `node02`, ... */
  node?: string;
  role?: 'control-plane' | 'worker';
}

export type NodeCheckState = 'Ready' | 'NotReady' | 'Registered';

export type LabCheckSpec =
  /** The selected nodes are registered and, unless `Registered`, in that Ready state. */
  | ({ kind: 'node'; state: NodeCheckState } & NodeSelection)
  /** A Deployment, StatefulSet or DaemonSet has at least `readyReplicas` ready replicas. */
  | {
      kind: 'workload';
      namespace: string;
      name: string;
      workloadKind?: 'Deployment' | 'StatefulSet' | 'DaemonSet';
      readyReplicas: number;
    }
  /** A Service has at least `minReady` ready endpoints (EndpointSlices). */
  | { kind: 'service-endpoints'; namespace: string; service: string; minReady?: number }
  /** The logs of a pod selected by label (any of them, each container's last `tailLines`) contain a text. */
  | { kind: 'pod-logs'; namespace: string; selector: string; container?: string; contains: string; tailLines?: number }
  /**
   * An HTTP GET to a node port, made by the tenant's API server (its node proxy) on the selected node (the first when
   * several): answers `status` and, when given, contains a text.
   */
  | ({ kind: 'http'; nodePort: number; path?: string; status?: number; contains?: string } & NodeSelection)
  /** A shell script run as root on the selected node over SSH with the platform's key: exit code 0 passes. */
  | ({ kind: 'ssh'; script: string; timeoutSeconds?: number } & NodeSelection);

export type LabCheckKind = LabCheckSpec['kind'];

/** A readiness check: must hold before the tenant joins the pool. `title` names it in messages. */
export type ReadinessCheck = LabCheckSpec & { title?: string };

/** A solution check: says the lab is solved; `hint` is shown to the student when it fails. */
export type SolutionCheck = LabCheckSpec & { title: string; hint: string };

export interface LabChecks {
  /** Absent or empty: every node Ready (the platform's default readiness). */
  readiness?: ReadinessCheck[];
  solution?: SolutionCheck[];
}

export const labCheckKinds: readonly LabCheckKind[] = [
  'node',
  'workload',
  'service-endpoints',
  'pod-logs',
  'http',
  'ssh',
];

/** Every node Ready: the readiness of a lab that declares none. */
export const defaultReadinessChecks: readonly ReadinessCheck[] = [
  { kind: 'node', state: 'Ready', title: 'every node is Ready' },
];

/** The readiness checks a tenant of this lab must pass. */
export function readinessChecksOf(lab: { checks?: LabChecks }): readonly ReadinessCheck[] {
  const declared = lab.checks?.readiness ?? [];
  return declared.length > 0 ? declared : defaultReadinessChecks;
}

/** Bounds every check run observes: a script never runs longer than this. */
export const sshCheckTimeoutSeconds = { default: 10, max: 60 } as const;

/** The outcome of one check, as the API, events and conditions show it. */
export interface CheckResult {
  /** Position in the lab's list (readiness or solution), from 0. */
  index: number;
  kind: LabCheckKind;
  title: string;
  passed: boolean;
  /** What was seen, in one sentence. */
  message: string;
  /** Solution checks only, when failed. */
  hint?: string;
}

/** The names kubeadm registers for a tenant's nodes: `controlplane`, then `node01` ... (the guest hostnames). */
export function tenantNodeNames(workerCount: number): { controlPlane: string; workers: string[] } {
  return {
    controlPlane: 'controlplane',
    workers: Array.from({ length: workerCount }, (_, i) => `node${String(i + 1).padStart(2, '0')}`),
  };
}

/** The node names a selection designates in a tenant with `workerCount` workers. */
export function selectNodeNames(selection: NodeSelection, workerCount: number): string[] {
  const names = tenantNodeNames(workerCount);
  if (selection.node !== undefined) return [selection.node];
  if (selection.role === 'control-plane') return [names.controlPlane];
  if (selection.role === 'worker') return names.workers;
  return [names.controlPlane, ...names.workers];
}

/** One line on the readiness checks' results: the first failing check, or how many hold. */
export function summarizeReadiness(results: readonly CheckResult[]): string {
  const failing = results.find((result) => !result.passed);
  if (failing) return `readiness check "${failing.title}" does not hold: ${failing.message}`;
  return `${results.length} readiness check${results.length === 1 ? '' : 's'} hold`;
}

/**
 * Why a tenant that missed its provisioning deadline failed, from the conditions the provisioner recorded: a
 * readiness check that never held, a bootstrap stuck at a step, or plain lateness. Both writers of the deadline rule
 * (the provisioner, and the pool manager as a backstop) use it, so the reason does not depend on which one was first.
 */
export function explainDeadlineFailure(
  conditions: readonly { type: string; status: string; reason?: string; message?: string }[] | undefined,
): { reason: string; message: string } {
  const checks = conditions?.find((c) => c.type === 'ReadinessChecks');
  if (checks?.status === 'False' && checks.message)
    return { reason: 'readiness.check_failed', message: `the provisioning deadline passed: ${checks.message}` };
  const bootstrap = conditions?.find((c) => c.type === 'Bootstrapped');
  if (bootstrap?.status === 'False' && bootstrap.reason === 'Running' && bootstrap.message)
    return {
      reason: 'bootstrap.timeout',
      message: `the provisioning deadline passed while bootstrapping ${bootstrap.message}`,
    };
  return { reason: 'provision.timeout', message: 'the tenant was not ready before its provisioning deadline' };
}
