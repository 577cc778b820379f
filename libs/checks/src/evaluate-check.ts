// Pure: whether one lab check passes, given what was observed for it through the tenant API or over SSH. The only
// place that decides; observe-check.ts only fetches, so every kind and every odd observation is table-tested here.
import { selectNodeNames, type LabCheckSpec } from '@kubelabs/domain';

export interface ObservedNode {
  name: string;
  ready: boolean;
}

/** What observe-check saw for one check: one shape per kind, or why it could not look. */
export type CheckObservation =
  | { kind: 'unavailable'; message: string }
  | { kind: 'nodes'; nodes: ObservedNode[] }
  | { kind: 'workload'; workload: { replicas: number; readyReplicas: number } | null }
  | { kind: 'service-endpoints'; serviceFound: boolean; readyEndpoints: number }
  | { kind: 'pod-logs'; pods: { name: string; logs: string }[] }
  | { kind: 'http'; node: string; status: number; body: string }
  | { kind: 'ssh'; runs: SshRun[] };

export interface SshRun {
  node: string;
  /** null when the script did not finish (timed out, or the connection failed). */
  exitCode: number | null;
  timedOut: boolean;
  /** The last lines of its output (stdout and stderr). */
  output: string;
  /** Why it could not run at all (no route, refused login). */
  error?: string;
}

export interface CheckOutcome {
  passed: boolean;
  message: string;
}

const pass = (message: string): CheckOutcome => ({ passed: true, message });
const fail = (message: string): CheckOutcome => ({ passed: false, message });

export function evaluateCheck(check: LabCheckSpec, observed: CheckObservation, workerCount: number): CheckOutcome {
  if (observed.kind === 'unavailable') return fail(observed.message);
  switch (check.kind) {
    case 'node':
      return observed.kind === 'nodes' ? evaluateNodes(check, observed.nodes, workerCount) : mismatch(check, observed);
    case 'workload': {
      if (observed.kind !== 'workload') return mismatch(check, observed);
      const kind = check.workloadKind ?? 'Deployment';
      const what = `${kind} ${check.namespace}/${check.name}`;
      if (!observed.workload) return fail(`${what} does not exist`);
      const { readyReplicas, replicas } = observed.workload;
      const seen = `${what} has ${readyReplicas}/${replicas} replicas ready`;
      return readyReplicas >= check.readyReplicas ? pass(seen) : fail(`${seen}, needs ${check.readyReplicas}`);
    }
    case 'service-endpoints': {
      if (observed.kind !== 'service-endpoints') return mismatch(check, observed);
      const what = `Service ${check.namespace}/${check.service}`;
      if (!observed.serviceFound) return fail(`${what} does not exist`);
      const needed = check.minReady ?? 1;
      const seen = `${what} has ${observed.readyEndpoints} ready endpoint${observed.readyEndpoints === 1 ? '' : 's'}`;
      return observed.readyEndpoints >= needed ? pass(seen) : fail(`${seen}, needs ${needed}`);
    }
    case 'pod-logs': {
      if (observed.kind !== 'pod-logs') return mismatch(check, observed);
      const what = `pods ${check.selector} in ${check.namespace}`;
      if (observed.pods.length === 0) return fail(`no pod matches ${check.selector} in ${check.namespace}`);
      const found = observed.pods.find((pod) => pod.logs.includes(check.contains));
      return found
        ? pass(`the logs of ${found.name} contain ${JSON.stringify(check.contains)}`)
        : fail(`the logs of ${what} do not contain ${JSON.stringify(check.contains)}`);
    }
    case 'http': {
      if (observed.kind !== 'http') return mismatch(check, observed);
      const target = `GET ${observed.node}:${check.nodePort}${check.path ?? '/'}`;
      const status = check.status ?? 200;
      if (observed.status !== status)
        return fail(`${target} answered ${observed.status}${excerpt(observed.body)}, expected ${status}`);
      if (check.contains !== undefined && !observed.body.includes(check.contains))
        return fail(`${target} answered ${status} without ${JSON.stringify(check.contains)}${excerpt(observed.body)}`);
      return pass(
        `${target} answered ${status}${check.contains === undefined ? '' : ` with ${JSON.stringify(check.contains)}`}`,
      );
    }
    case 'ssh': {
      if (observed.kind !== 'ssh') return mismatch(check, observed);
      const expected = selectNodeNames(check, workerCount);
      const failures: string[] = [];
      for (const node of expected) {
        const run = observed.runs.find((r) => r.node === node);
        if (!run) failures.push(`${node}: the script did not run`);
        else if (run.error !== undefined) failures.push(`${node}: ${run.error}`);
        else if (run.timedOut)
          failures.push(`${node}: the script did not finish within ${check.timeoutSeconds ?? 10} s`);
        else if (run.exitCode !== 0)
          failures.push(`${node}: the script exited with ${run.exitCode ?? 'no code'}${excerpt(run.output)}`);
      }
      return failures.length > 0
        ? fail(failures.join('; '))
        : pass(`the script exited with 0 on ${expected.join(', ')}`);
    }
  }
}

function evaluateNodes(
  check: Extract<LabCheckSpec, { kind: 'node' }>,
  nodes: ObservedNode[],
  workerCount: number,
): CheckOutcome {
  const names = selectNodeNames(check, workerCount);
  if (names.length === 0) return fail('the check selects no node');
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const missing = names.filter((name) => !byName.has(name));
  if (missing.length > 0) return fail(`${list(missing)} ${missing.length === 1 ? 'is' : 'are'} not registered`);
  if (check.state === 'Registered') return pass(`${list(names)} ${names.length === 1 ? 'is' : 'are'} registered`);
  const wantReady = check.state === 'Ready';
  const wrong = names.filter((name) => byName.get(name)!.ready !== wantReady);
  if (wrong.length > 0)
    return fail(
      `${list(wrong)} ${wrong.length === 1 ? 'is' : 'are'} ${wantReady ? 'NotReady' : 'Ready'}, expected ${check.state}`,
    );
  return pass(`${list(names)} ${names.length === 1 ? 'is' : 'are'} ${check.state}`);
}

/** An observation of another kind than the check: a wiring mistake, reported rather than thrown. */
function mismatch(check: LabCheckSpec, observed: CheckObservation): CheckOutcome {
  return fail(`internal: a ${check.kind} check got a ${observed.kind} observation`);
}

function list(names: string[]): string {
  return names.length === 1 ? `node ${names[0]}` : `nodes ${names.join(', ')}`;
}

/** A short, single-line taste of a body or output for messages. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '';
  return `: ${line.length > 120 ? `${line.slice(0, 117)}...` : line}`;
}
