// Status conditions the Kubernetes way: a condition's lastTransitionTime is when its status last changed, not when it
// was last written, so a reconciler can rewrite every condition on each pass without losing that moment.
import type { Condition } from '@kubelabs/domain';

/** A condition as a reconciler computes it; the store decides its lastTransitionTime. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * The conditions to store: exactly `next` (in its order; a type given twice keeps its last value), each keeping the
 * previous lastTransitionTime when its status did not change and taking `now` when it did or is new.
 */
export function mergeConditions(
  previous: readonly Condition[],
  next: readonly ConditionUpdate[],
  now: Date,
): Condition[] {
  const byType = new Map<string, ConditionUpdate>();
  for (const condition of next) byType.set(condition.type, condition);
  return [...byType.values()].map(({ type, status, reason, message }) => {
    const before = previous.find((condition) => condition.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
    // Field order as the schema declares it, so a stored array compares equal to one read back.
    return { type, status, reason, message, lastTransitionTime };
  });
}

/** True when two condition lists say the same thing, transition times included (nothing to write). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return (
        x.type === y.type &&
        x.status === y.status &&
        x.reason === y.reason &&
        x.message === y.message &&
        new Date(x.lastTransitionTime).getTime() === new Date(y.lastTransitionTime).getTime()
      );
    })
  );
}
