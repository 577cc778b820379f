// mergeConditions keeps a condition's lastTransitionTime while its status holds, so rewriting status every pass does
// not erase when things changed.
import { describe, expect, it } from 'vitest';
import type { Condition } from '@kubelabs/domain';
import { mergeConditions, sameConditions, type ConditionUpdate } from './merge-conditions';

const earlier = new Date('2026-11-20T10:00:00.000Z');
const now = new Date('2026-11-20T10:05:00.000Z');

const ready = (status: Condition['status'], reason = 'NodesReady', message = 'all nodes Ready'): ConditionUpdate => ({
  type: 'Ready',
  status,
  reason,
  message,
});
const at = (update: ConditionUpdate, lastTransitionTime: Date): Condition => ({ ...update, lastTransitionTime });

describe('mergeConditions', () => {
  it.each<{ name: string; previous: Condition[]; next: ConditionUpdate[]; expected: Condition[] }>([
    { name: 'nothing before, nothing now', previous: [], next: [], expected: [] },
    {
      name: 'a new condition transitions now',
      previous: [],
      next: [ready('True')],
      expected: [at(ready('True'), now)],
    },
    {
      name: 'an unchanged status keeps its transition time',
      previous: [at(ready('True'), earlier)],
      next: [ready('True')],
      expected: [at(ready('True'), earlier)],
    },
    {
      name: 'a new reason or message under the same status keeps its transition time',
      previous: [at(ready('False', 'Booting', '1 of 3 VMs running'), earlier)],
      next: [ready('False', 'Booting', '2 of 3 VMs running')],
      expected: [at(ready('False', 'Booting', '2 of 3 VMs running'), earlier)],
    },
    {
      name: 'a changed status transitions now',
      previous: [at(ready('False', 'Booting', 'booting'), earlier)],
      next: [ready('True')],
      expected: [at(ready('True'), now)],
    },
    {
      name: 'Unknown to False is a transition',
      previous: [at(ready('Unknown', 'Pending', 'not observed yet'), earlier)],
      next: [ready('False', 'Booting', 'booting')],
      expected: [at(ready('False', 'Booting', 'booting'), now)],
    },
    {
      name: 'a condition left out of next is dropped',
      previous: [at(ready('True'), earlier), { ...ready('True'), type: 'Degraded', lastTransitionTime: earlier }],
      next: [ready('True')],
      expected: [at(ready('True'), earlier)],
    },
    {
      name: 'each condition is judged by its own type, in the order next gives',
      previous: [at(ready('True'), earlier), { ...ready('False'), type: 'Claimed', lastTransitionTime: earlier }],
      next: [{ ...ready('True'), type: 'Claimed' }, ready('True')],
      expected: [{ ...ready('True'), type: 'Claimed', lastTransitionTime: now }, at(ready('True'), earlier)],
    },
    {
      name: 'a type given twice keeps its last value',
      previous: [],
      next: [ready('False', 'Booting', 'booting'), ready('True')],
      expected: [at(ready('True'), now)],
    },
  ])('$name', ({ previous, next, expected }) => {
    expect(mergeConditions(previous, next, now)).toEqual(expected);
  });

  it('says nothing changed when the merge is what was stored, and something did when a time moved', () => {
    const stored = [at(ready('True'), earlier)];
    expect(sameConditions(stored, mergeConditions(stored, [ready('True')], now))).toBe(true);
    expect(sameConditions(stored, mergeConditions(stored, [ready('False')], now))).toBe(false);
    expect(sameConditions(stored, [at(ready('True'), now)])).toBe(false);
    expect(sameConditions(stored, [])).toBe(false);
  });
});
