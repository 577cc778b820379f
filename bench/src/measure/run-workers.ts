// The load generator every measurement shares: `concurrency` workers, each running `op` sequentially, until `total`
// operations were started or the time limit passed. Records each operation's latency with a monotonic clock.
import { summarizeLatencies, type LatencySummary } from './summarize-latencies';

export interface WorkerRound {
  concurrency: number;
  /** Operations in the round; index i (0..total-1) goes to exactly one operation. */
  total: number;
  /** No operation starts after this many milliseconds. */
  timeLimitMs: number;
  op: (index: number) => Promise<void>;
  /** Runs before each operation, outside its timing (e.g. waiting for the system to be at rest). */
  prepare?: (index: number) => Promise<void>;
}

export interface WorkerResult extends LatencySummary {
  concurrency: number;
  /** The first few distinct error messages, for the report. */
  errorSamples: string[];
}

export async function runWorkers({ concurrency, total, timeLimitMs, op, prepare }: WorkerRound): Promise<WorkerResult> {
  const latenciesMs: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(timeLimitMs) * 1_000_000n;
  const worker = async (): Promise<void> => {
    while (next < total && process.hrtime.bigint() < deadline) {
      const index = next++;
      if (prepare) await prepare(index);
      const t0 = process.hrtime.bigint();
      try {
        await op(index);
        latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        errors++;
        if (errorSamples.size < 3) errorSamples.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { concurrency, ...summarizeLatencies(latenciesMs, wallMs, errors), errorSamples: [...errorSamples] };
}
