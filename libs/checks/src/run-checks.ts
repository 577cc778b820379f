// Runs a list of lab checks against one tenant: observe each (I/O, bounded), evaluate each (pure), in declared
// order, into results the API, events and conditions show. Read-only: nothing here changes the tenant.
import type { CheckResult, LabCheckSpec } from '@kubelabs/domain';
import { evaluateCheck, type CheckObservation } from './evaluate-check';
import { observeCheck, type CheckTarget } from './observe-check';

export type DeclaredCheck = LabCheckSpec & { title?: string; hint?: string };

/** Pure: the results from each check's observation (the table-tested half of runChecks). */
export function planCheckResults(
  checks: readonly DeclaredCheck[],
  observations: readonly CheckObservation[],
  workerCount: number,
): CheckResult[] {
  return checks.map((check, index) => {
    const outcome = evaluateCheck(
      check,
      observations[index] ?? { kind: 'unavailable', message: 'not observed' },
      workerCount,
    );
    return {
      index,
      kind: check.kind,
      title: check.title ?? defaultTitle(check),
      passed: outcome.passed,
      message: outcome.message,
      ...(!outcome.passed && check.hint !== undefined ? { hint: check.hint } : {}),
    };
  });
}

/**
 * Observes every check at once and evaluates each. With `deadlineMs`, a check still looking when it passes fails
 * ("did not finish"), whatever it waits for: the run as a whole never takes longer.
 */
export async function runChecks(
  checks: readonly DeclaredCheck[],
  target: CheckTarget,
  options: { deadlineMs?: number } = {},
): Promise<CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    options.deadlineMs === undefined
      ? undefined
      : new Promise<CheckObservation>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                kind: 'unavailable',
                message: `the check did not finish within ${Math.round(options.deadlineMs! / 100) / 10} s`,
              }),
            options.deadlineMs,
          );
        });
  try {
    const observations = await Promise.all(
      checks.map((check) => {
        const observing = observeCheck(check, target);
        return deadline ? Promise.race([observing, deadline]) : observing;
      }),
    );
    return planCheckResults(checks, observations, target.workerCount);
  } finally {
    clearTimeout(timer);
  }
}

/** A title for a check that declares none (readiness checks may omit it). */
export function defaultTitle(check: LabCheckSpec): string {
  switch (check.kind) {
    case 'node':
      return `${on(check)}: ${check.state}`;
    case 'workload':
      return `${check.workloadKind ?? 'Deployment'} ${check.namespace}/${check.name} has ${check.readyReplicas} ready replicas`;
    case 'service-endpoints':
      return `Service ${check.namespace}/${check.service} has endpoints`;
    case 'pod-logs':
      return `logs of ${check.selector} in ${check.namespace} contain ${JSON.stringify(check.contains)}`;
    case 'http':
      return `GET node port ${check.nodePort}${check.path ?? '/'} answers ${check.status ?? 200}`;
    case 'ssh':
      return `script on ${on(check)} succeeds`;
  }
}

function on(selection: { node?: string; role?: string }): string {
  return selection.node ?? (selection.role ? `${selection.role} nodes` : 'every node');
}
