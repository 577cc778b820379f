// Arrival order of claims without a database round trip: microseconds since the epoch, strictly increasing within a
// process. Across claim API replicas, clocks order arrivals (ties fall back to the claim id), which is as fine an
// order as "arrival" has between two machines.
let last = 0;

export function nextArrivalOrder(nowMs: number = Date.now()): number {
  const candidate = nowMs * 1000;
  last = candidate > last ? candidate : last + 1;
  return last;
}
