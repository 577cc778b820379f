// How far the claim path is from its floor at each concurrency: claim latency against (one conditional update + one
// publish ack) + (one empty Fastify request), and against the same storage sequence called directly. Pure.
import type { LatencySummary } from '../measure/summarize-latencies';

export interface FloorRatio {
  /** Which claim round: '' for the back-to-back rounds, 'at rest' for claims sent to an idle platform. */
  label: string;
  concurrency: number;
  claimP50Ms: number;
  claimP99Ms: number;
  claimPerSecond: number;
  /** p50 of (a) the take + publish pair plus p50 of (b) an empty Fastify request. */
  floorP50Ms: number;
  floorP99Ms: number;
  ratioP50: number;
  ratioP99: number;
  /** The fast path's storage calls without HTTP (4 MongoDB operations + 1 publish, as create-claim.ts does them). */
  directP50Ms: number;
  /** Claim p50 minus direct-path p50: what HTTP, NestJS and the claim API add on top of the storage calls. */
  httpAndFrameworkMs: number;
}

type ByConcurrency = ReadonlyMap<number, LatencySummary>;

export function computeRatios(
  claims: ByConcurrency,
  dbFloor: ByConcurrency,
  emptyHttp: ByConcurrency,
  direct: ByConcurrency,
  label = '',
): FloorRatio[] {
  return [...claims].flatMap(([concurrency, claim]) => {
    const db = dbFloor.get(concurrency);
    const http = emptyHttp.get(concurrency);
    const path = direct.get(concurrency);
    if (!db || !http || !path) return [];
    const floorP50Ms = db.p50Ms + http.p50Ms;
    const floorP99Ms = db.p99Ms + http.p99Ms;
    return [
      {
        label,
        concurrency,
        claimP50Ms: claim.p50Ms,
        claimP99Ms: claim.p99Ms,
        claimPerSecond: claim.perSecond,
        floorP50Ms: round(floorP50Ms),
        floorP99Ms: round(floorP99Ms),
        ratioP50: round(claim.p50Ms / floorP50Ms),
        ratioP99: round(claim.p99Ms / floorP99Ms),
        directP50Ms: path.p50Ms,
        httpAndFrameworkMs: round(claim.p50Ms - path.p50Ms),
      },
    ];
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
