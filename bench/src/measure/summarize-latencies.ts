// Turns one measured round (per-request latencies and the round's wall time) into the figures the bench reports:
// nearest-rank percentiles and completed operations per second. Pure.
export interface LatencySummary {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
  wallMs: number;
}

/** Nearest-rank percentile of values sorted ascending; NaN when there are none. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length, Math.max(1, Math.ceil((p / 100) * sortedMs.length)));
  return sortedMs[rank - 1]!;
}

export function summarizeLatencies(latenciesMs: readonly number[], wallMs: number, errors = 0): LatencySummary {
  const sorted = latenciesMs.toSorted((a, b) => a - b);
  return {
    count: sorted.length,
    errors,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    perSecond: wallMs > 0 ? Math.round((sorted.length / wallMs) * 1000) : 0,
    wallMs: Math.round(wallMs),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
