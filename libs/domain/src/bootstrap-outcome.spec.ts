import { describe, expect, it } from 'vitest';
import {
  parseBootstrapOutcome,
  planBootstrapProgress,
  redactSecrets,
  type NodeBootstrapOutcome,
} from './bootstrap-outcome';

const outcome = (
  node: string,
  phase: NodeBootstrapOutcome['phase'],
  step = '',
  message = '',
): NodeBootstrapOutcome => ({
  node,
  phase,
  step,
  message,
});
const nodes = ['controlplane', 'node01'];

describe('planBootstrapProgress', () => {
  it.each([
    {
      name: 'nothing reported yet',
      outcomes: [],
      expected: { state: 'unknown', message: 'waiting for the bootstrap of controlplane, node01' },
    },
    {
      name: 'the control plane at a step, the worker pending',
      outcomes: [outcome('controlplane', 'Running', 'CNI'), outcome('node01', 'Pending')],
      expected: { state: 'running', node: 'controlplane', step: 'CNI', message: 'controlplane: CNI' },
    },
    {
      name: 'every node succeeded',
      outcomes: [outcome('controlplane', 'Succeeded', 'done'), outcome('node01', 'Succeeded', 'done')],
      expected: { state: 'succeeded', message: '2 nodes bootstrapped' },
    },
    {
      name: 'a worker failed while the control plane still runs: failure wins',
      outcomes: [
        outcome('controlplane', 'Running', 'waiting for workers'),
        outcome('node01', 'Failed', 'kubeadm join', 'kubeadm join failed 3 times'),
      ],
      expected: {
        state: 'failed',
        node: 'node01',
        step: 'kubeadm join',
        message: 'node01: kubeadm join: kubeadm join failed 3 times',
      },
    },
    {
      name: 'a worker succeeded but the control plane has not finished',
      outcomes: [outcome('controlplane', 'Running', 'lab setup'), outcome('node01', 'Succeeded', 'done')],
      expected: { state: 'running', node: 'controlplane', step: 'lab setup', message: 'controlplane: lab setup' },
    },
    {
      name: 'an outcome of a node the tenant does not have is ignored',
      outcomes: [
        outcome('controlplane', 'Succeeded'),
        outcome('node01', 'Succeeded'),
        outcome('node09', 'Failed', 'x'),
      ],
      expected: { state: 'succeeded', message: '2 nodes bootstrapped' },
    },
  ])('$name', ({ outcomes, expected }) => {
    expect(planBootstrapProgress(outcomes, nodes)).toEqual(expected);
  });
});

describe('parseBootstrapOutcome', () => {
  it('reads a ConfigMap written by the bootstrap and refuses one that is not an outcome', () => {
    expect(
      parseBootstrapOutcome({ phase: 'Failed', node: 'node01', step: 'kubeadm join', message: 'm', log: 'x' }),
    ).toEqual(outcome('node01', 'Failed', 'kubeadm join', 'm'));
    expect(parseBootstrapOutcome({ phase: 'Exploded', node: 'node01' })).toBeNull();
    expect(parseBootstrapOutcome({ phase: 'Failed' })).toBeNull();
    expect(parseBootstrapOutcome(undefined)).toBeNull();
  });

  it('never lets a bootstrap token or a key out through a step or a message', () => {
    const parsed = parseBootstrapOutcome({
      phase: 'Failed',
      node: 'node01',
      step: 'kubeadm join',
      message:
        "line 30: kubeadm join x --token 'abcdef.0123456789abcdef' -----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----",
    });
    expect(parsed?.message).toBe("line 30: kubeadm join x --token '[token]' [pem]");
    expect(redactSecrets('no secrets here')).toBe('no secrets here');
  });
});
