import { describe, expect, it } from 'vitest';
import type { LabCheckSpec } from '@kubelabs/domain';
import { evaluateCheck, type CheckObservation } from './evaluate-check';
import { planCheckResults } from './run-checks';

const nodes = (...states: [string, boolean][]): CheckObservation => ({
  kind: 'nodes',
  nodes: states.map(([name, ready]) => ({ name, ready })),
});

interface Row {
  name: string;
  check: LabCheckSpec;
  observed: CheckObservation;
  workers?: number;
  passed: boolean;
  message: string;
}

const rows: Row[] = [
  // node
  {
    name: 'every node Ready',
    check: { kind: 'node', state: 'Ready' },
    observed: nodes(['controlplane', true], ['node01', true]),
    passed: true,
    message: 'nodes controlplane, node01 are Ready',
  },
  {
    name: 'a worker that has not registered yet',
    check: { kind: 'node', state: 'Ready' },
    observed: nodes(['controlplane', true]),
    passed: false,
    message: 'node node01 is not registered',
  },
  {
    name: 'broken as intended: the worker registered and NotReady',
    check: { kind: 'node', role: 'worker', state: 'NotReady' },
    observed: nodes(['controlplane', true], ['node01', false]),
    passed: true,
    message: 'node node01 is NotReady',
  },
  {
    name: 'not broken although the lab wants it broken',
    check: { kind: 'node', role: 'worker', state: 'NotReady' },
    observed: nodes(['controlplane', true], ['node01', true]),
    passed: false,
    message: 'node node01 is Ready, expected NotReady',
  },
  {
    name: 'registered in any state',
    check: { kind: 'node', node: 'node01', state: 'Registered' },
    observed: nodes(['controlplane', true], ['node01', false]),
    passed: true,
    message: 'node node01 is registered',
  },
  {
    name: 'a check naming a node that does not exist',
    check: { kind: 'node', node: 'node07', state: 'Ready' },
    observed: nodes(['controlplane', true], ['node01', true]),
    passed: false,
    message: 'node node07 is not registered',
  },
  {
    name: 'workers selected in a lab without workers',
    check: { kind: 'node', role: 'worker', state: 'Ready' },
    observed: nodes(['controlplane', true]),
    workers: 0,
    passed: false,
    message: 'the check selects no node',
  },
  // workload
  {
    name: 'a Deployment with enough ready replicas',
    check: { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 2 },
    observed: { kind: 'workload', workload: { replicas: 2, readyReplicas: 2 } },
    passed: true,
    message: 'Deployment default/web has 2/2 replicas ready',
  },
  {
    name: 'a Deployment short of ready replicas',
    check: { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 2 },
    observed: { kind: 'workload', workload: { replicas: 2, readyReplicas: 0 } },
    passed: false,
    message: 'Deployment default/web has 0/2 replicas ready, needs 2',
  },
  {
    name: 'a workload that does not exist',
    check: { kind: 'workload', namespace: 'shop', name: 'gone', workloadKind: 'StatefulSet', readyReplicas: 1 },
    observed: { kind: 'workload', workload: null },
    passed: false,
    message: 'StatefulSet shop/gone does not exist',
  },
  // service-endpoints
  {
    name: 'a Service with a ready endpoint',
    check: { kind: 'service-endpoints', namespace: 'kube-system', service: 'kube-dns' },
    observed: { kind: 'service-endpoints', serviceFound: true, readyEndpoints: 2 },
    passed: true,
    message: 'Service kube-system/kube-dns has 2 ready endpoints',
  },
  {
    name: 'a Service that selects nothing',
    check: { kind: 'service-endpoints', namespace: 'kube-system', service: 'kube-dns' },
    observed: { kind: 'service-endpoints', serviceFound: true, readyEndpoints: 0 },
    passed: false,
    message: 'Service kube-system/kube-dns has 0 ready endpoints, needs 1',
  },
  {
    name: 'a Service that does not exist',
    check: { kind: 'service-endpoints', namespace: 'shop', service: 'nope', minReady: 2 },
    observed: { kind: 'service-endpoints', serviceFound: false, readyEndpoints: 0 },
    passed: false,
    message: 'Service shop/nope does not exist',
  },
  // pod-logs
  {
    name: 'logs that contain the text',
    check: { kind: 'pod-logs', namespace: 'shop', selector: 'app=frontend', contains: 'backend OK' },
    observed: { kind: 'pod-logs', pods: [{ name: 'frontend-1', logs: 'x backend FAILED\ny backend OK\n' }] },
    passed: true,
    message: 'the logs of frontend-1 contain "backend OK"',
  },
  {
    name: 'logs without the text',
    check: { kind: 'pod-logs', namespace: 'shop', selector: 'app=frontend', contains: 'backend OK' },
    observed: { kind: 'pod-logs', pods: [{ name: 'frontend-1', logs: 'x backend FAILED\n' }] },
    passed: false,
    message: 'the logs of pods app=frontend in shop do not contain "backend OK"',
  },
  {
    name: 'no pod matches the selector',
    check: { kind: 'pod-logs', namespace: 'shop', selector: 'app=missing', contains: 'x' },
    observed: { kind: 'pod-logs', pods: [] },
    passed: false,
    message: 'no pod matches app=missing in shop',
  },
  // http
  {
    name: 'a node port answering the text',
    check: { kind: 'http', nodePort: 30080, contains: 'Welcome' },
    observed: { kind: 'http', node: 'controlplane', status: 200, body: '{"message":"Welcome to the kubelabs shop"}' },
    passed: true,
    message: 'GET controlplane:30080/ answered 200 with "Welcome"',
  },
  {
    name: 'a node port nobody listens on (the API server cannot dial it)',
    check: { kind: 'http', nodePort: 30080, path: '/', contains: 'Welcome' },
    observed: {
      kind: 'http',
      node: 'controlplane',
      status: 503,
      body: 'error trying to reach service: connection refused',
    },
    passed: false,
    message: 'GET controlplane:30080/ answered 503: error trying to reach service: connection refused, expected 200',
  },
  {
    name: 'the right status without the text',
    check: { kind: 'http', nodePort: 30080, contains: 'Welcome' },
    observed: { kind: 'http', node: 'controlplane', status: 200, body: 'nginx default page' },
    passed: false,
    message: 'GET controlplane:30080/ answered 200 without "Welcome": nginx default page',
  },
  // ssh
  {
    name: 'a script that exits 0',
    check: { kind: 'ssh', node: 'node01', script: 'systemctl is-enabled kubelet' },
    observed: { kind: 'ssh', runs: [{ node: 'node01', exitCode: 0, timedOut: false, output: 'enabled\n' }] },
    passed: true,
    message: 'the script exited with 0 on node01',
  },
  {
    name: 'a script that fails',
    check: { kind: 'ssh', node: 'node01', script: 'systemctl is-enabled kubelet' },
    observed: { kind: 'ssh', runs: [{ node: 'node01', exitCode: 1, timedOut: false, output: 'disabled\n' }] },
    passed: false,
    message: 'node01: the script exited with 1: disabled',
  },
  {
    name: 'a script that hangs',
    check: { kind: 'ssh', role: 'worker', script: 'sleep infinity', timeoutSeconds: 2 },
    observed: { kind: 'ssh', runs: [{ node: 'node01', exitCode: null, timedOut: true, output: '' }] },
    passed: false,
    message: 'node01: the script did not finish within 2 s',
  },
  {
    name: 'a node SSH cannot reach',
    check: { kind: 'ssh', script: 'true' },
    observed: {
      kind: 'ssh',
      runs: [
        { node: 'controlplane', exitCode: 0, timedOut: false, output: '' },
        { node: 'node01', exitCode: null, timedOut: false, output: '', error: 'ssh: connect ECONNREFUSED' },
      ],
    },
    passed: false,
    message: 'node01: ssh: connect ECONNREFUSED',
  },
  // any kind
  {
    name: 'a tenant API that does not answer',
    check: { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 1 },
    observed: { kind: 'unavailable', message: 'could not look: no answer within 3000 ms' },
    passed: false,
    message: 'could not look: no answer within 3000 ms',
  },
  {
    name: 'an observation of another kind (a wiring mistake)',
    check: { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 1 },
    observed: nodes(['controlplane', true]),
    passed: false,
    message: 'internal: a workload check got a nodes observation',
  },
];

describe('evaluateCheck', () => {
  it.each(rows)('$name', ({ check, observed, workers, passed, message }) => {
    expect(evaluateCheck(check, observed, workers ?? 1)).toEqual({ passed, message });
  });
});

describe('planCheckResults', () => {
  it('numbers the results in declared order, gives a default title, and shows a hint only on failure', () => {
    const results = planCheckResults(
      [
        { kind: 'node', state: 'Ready', title: 'every node is Ready', hint: 'look at the kubelet' },
        { kind: 'workload', namespace: 'default', name: 'web', readyReplicas: 2, hint: 'scale it' },
      ],
      [nodes(['controlplane', true], ['node01', true]), { kind: 'workload', workload: null }],
      1,
    );
    expect(results).toEqual([
      {
        index: 0,
        kind: 'node',
        title: 'every node is Ready',
        passed: true,
        message: 'nodes controlplane, node01 are Ready',
      },
      {
        index: 1,
        kind: 'workload',
        title: 'Deployment default/web has 2 ready replicas',
        passed: false,
        message: 'Deployment default/web does not exist',
        hint: 'scale it',
      },
    ]);
  });

  it('fails a check nothing was observed for', () => {
    const [result] = planCheckResults([{ kind: 'node', state: 'Ready' }], [], 0);
    expect(result).toMatchObject({ passed: false, message: 'not observed' });
  });
});
