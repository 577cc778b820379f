// The `/lab` grammar: every verb, its arguments, and what a student gets for a typo.
import { describe, expect, it } from 'vitest';
import { labCommandFromOptions, parseLabCommand } from './parse-lab-command';

describe('parseLabCommand', () => {
  it.each([
    { text: 'list', command: { kind: 'list' } },
    { text: '  LIST  ', command: { kind: 'list' } },
    { text: 'start sandbox', command: { kind: 'start', labId: 'sandbox' } },
    {
      text: 'start flask-debugging 1.36',
      command: { kind: 'start', labId: 'flask-debugging', kubernetesVersion: '1.36' },
    },
    { text: 'status', command: { kind: 'status' } },
    { text: 'extend', command: { kind: 'extend' } },
    { text: 'stop', command: { kind: 'stop' } },
    { text: '', command: { kind: 'help' } },
    { text: 'help', command: { kind: 'help' } },
  ])('reads "$text"', ({ text, command }) => {
    expect(parseLabCommand(text)).toEqual(command);
  });

  it.each([
    { text: 'start', problem: /needs a lab id/ },
    { text: 'start Sandbox', problem: /not a lab id/ },
    { text: 'start sandbox latest', problem: /not a Kubernetes version/ },
    { text: 'start sandbox 1.36 extra', problem: /optional version/ },
    { text: 'stop now', problem: /takes no arguments/ },
    { text: 'delete everything', problem: /unknown command `delete`/ },
  ])('answers "$text" with help saying what is wrong', ({ text, problem }) => {
    const command = parseLabCommand(text);
    expect(command.kind).toBe('help');
    expect(command.kind === 'help' && command.problem).toMatch(problem);
  });
});

describe('labCommandFromOptions', () => {
  it.each([
    { name: 'start', options: { lab: 'sandbox' }, command: { kind: 'start', labId: 'sandbox' } },
    {
      name: 'start',
      options: { lab: 'sandbox', version: '1.35' },
      command: { kind: 'start', labId: 'sandbox', kubernetesVersion: '1.35' },
    },
    { name: 'status', options: {}, command: { kind: 'status' } },
    { name: 'start', options: {}, command: { kind: 'help', problem: expect.stringMatching(/needs a lab id/) } },
  ])('reads Discord sub-command $name $options', ({ name, options, command }) => {
    expect(labCommandFromOptions(name, options)).toEqual(command);
  });
});
