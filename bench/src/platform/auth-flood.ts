// [bench] What wrong API keys cost requests that carry a valid one: the latency of GET /v1/labs with a valid key from
// one client, alone and while wrong-key requests flood the claim API (2,000, 50 at a time), for a few flood shapes.
// Each shape uses addresses of its own (X-Forwarded-For, which the services trust), so no limit carries over.
import { randomBytes } from 'node:crypto';
import { withCpu } from '../measure/cpu-window';
import { createHttpClient, type HttpClient } from '../measure/http-client';
import { runWorkers } from '../measure/run-workers';
import { summarizeLatencies, type LatencySummary } from '../measure/summarize-latencies';

export interface FloodShape {
  name: string;
  /**
   * distinct: a new random key on every request (guessing); one: the same wrong key every time (a stale secret);
   * none: no Authorization header, refused before any key is looked at (the floor of any refused request).
   */
  keys: 'distinct' | 'one' | 'none';
  /** one: every wrong request from the valid client's address; distinct: a new forged address on every request. */
  clients: 'one' | 'distinct';
}

export const floodShapes: readonly FloodShape[] = [
  { name: 'distinct wrong keys, one client', keys: 'distinct', clients: 'one' },
  { name: 'one wrong key, new address each', keys: 'one', clients: 'distinct' },
  { name: 'distinct wrong keys, new address each', keys: 'distinct', clients: 'distinct' },
  { name: 'no Authorization header (floor)', keys: 'none', clients: 'one' },
];

export interface AuthFloodPlan {
  floodRequests: number;
  floodConcurrency: number;
  /** Floods per shape, each from fresh addresses; the valid requests during them are pooled. */
  floodRepeats: number;
  /** Valid requests in the "alone" round (one client, one at a time). */
  aloneRequests: number;
  warmupRequests: number;
}

export const authFloodPlan: AuthFloodPlan = {
  floodRequests: 2_000,
  floodConcurrency: 50,
  floodRepeats: 3,
  aloneRequests: 500,
  warmupRequests: 200,
};

export interface FloodSummary {
  /** Wrong-key requests sent over every repeat, and the time they took together. */
  requests: number;
  wallMs: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
}

export interface AuthFloodRow {
  /** Which claim API answered: the negative cache and failure limit on (defaults) or off. */
  protection: string;
  flood: string;
  validAlone: LatencySummary;
  validDuringFlood: LatencySummary & { errorSamples: string[] };
  wrongKeys: FloodSummary;
  /** API key lookups the claim API sent to MongoDB during the floods (absent when it does not export the counter). */
  lookups?: number;
  /** CPU ms per wrong-key request, by process, over the floods (the valid requests alongside them included). */
  cpuPerWrongRequest: { process: string; msPerOp: number }[];
}

export interface AuthFloodTarget {
  protection: string;
  url: string;
  apiKey: string;
}

const validPath = '/v1/labs';

export async function measureAuthFlood(
  targets: readonly AuthFloodTarget[],
  {
    plan = authFloodPlan,
    shapes = floodShapes,
    settle,
    say,
  }: {
    plan?: AuthFloodPlan;
    shapes?: readonly FloodShape[];
    settle: () => Promise<unknown>;
    say: (line: string) => void;
  },
): Promise<AuthFloodRow[]> {
  const rows: AuthFloodRow[] = [];
  let network = 0;
  // Each flood gets a /16 of its own (X-Forwarded-For), so no limit or cached refusal carries over.
  const nextNetwork = (): number => ++network;
  for (const target of targets) {
    const valid = createHttpClient(target.url, { connections: 1 });
    const flood = createHttpClient(target.url, { connections: plan.floodConcurrency });
    try {
      for (const shape of shapes) {
        const warm = validRequest(valid, target.apiKey, `198.51.${nextNetwork()}.1`);
        await runWorkers({ concurrency: 1, total: plan.warmupRequests, timeLimitMs: 30_000, op: warm });
        await settle();
        const validAlone = await runWorkers({
          concurrency: 1,
          total: plan.aloneRequests,
          timeLimitMs: 30_000,
          op: warm,
        });
        const during: number[] = [];
        const errorSamples = new Set<string>();
        const totals = { errors: 0, validWallMs: 0, requests: 0, wallMs: 0, lookups: 0 as number | undefined };
        const statuses: Record<string, number> = {};
        const cpuMs = new Map<string, number>();
        for (let repeat = 0; repeat < plan.floodRepeats; repeat++) {
          await settle();
          const net = nextNetwork();
          const flooder = `198.51.${net}.1`;
          const sendValid = validRequest(valid, target.apiKey, flooder);
          const oneKey = wrongKey();
          const lookupsBefore = await readLookups(target.url);
          let flooding = true;
          const validRound = measureWhile(() => flooding, sendValid);
          const { result, cpu } = await withCpu(() =>
            runWorkers({
              concurrency: plan.floodConcurrency,
              total: plan.floodRequests,
              timeLimitMs: 120_000,
              op: async (i) => {
                const headers: Record<string, string> = {
                  'x-forwarded-for': shape.clients === 'one' ? flooder : `10.${net}.${(i >> 8) & 255}.${i & 255}`,
                };
                if (shape.keys !== 'none')
                  headers.authorization = `Bearer ${shape.keys === 'one' ? oneKey : wrongKey()}`;
                const res = await flood.send('GET', validPath, undefined, headers);
                statuses[res.status] = (statuses[res.status] ?? 0) + 1;
                if (res.status !== 401 && res.status !== 429) throw new Error(`a wrong key was answered ${res.status}`);
              },
            }).finally(() => (flooding = false)),
          );
          const validResult = await validRound;
          const lookupsAfter = await readLookups(target.url);
          during.push(...validResult.latenciesMs);
          validResult.errorSamples.forEach((e) => errorSamples.add(e));
          totals.errors += validResult.errors;
          totals.validWallMs += validResult.wallMs;
          totals.requests += result.count + result.errors;
          totals.wallMs += result.wallMs;
          totals.lookups =
            totals.lookups !== undefined && lookupsBefore !== undefined && lookupsAfter !== undefined
              ? totals.lookups + lookupsAfter - lookupsBefore
              : undefined;
          for (const c of cpu) cpuMs.set(c.process, (cpuMs.get(c.process) ?? 0) + c.cpuMs);
        }
        const validDuringFlood = {
          ...summarizeLatencies(during, totals.validWallMs, totals.errors),
          errorSamples: [...errorSamples].slice(0, 3),
        };
        const row: AuthFloodRow = {
          protection: target.protection,
          flood: shape.name,
          validAlone: strip(validAlone),
          validDuringFlood,
          wrongKeys: { requests: totals.requests, wallMs: Math.round(totals.wallMs), statuses },
          ...(totals.lookups !== undefined ? { lookups: totals.lookups } : {}),
          cpuPerWrongRequest: ['claim-api', 'mongo (java)'].map((process) => ({
            process,
            msPerOp: Math.round(((cpuMs.get(process) ?? 0) / Math.max(1, totals.requests)) * 1000) / 1000,
          })),
        };
        say(
          `auth flood, protection ${row.protection}, ${row.flood}: valid alone p50 ${validAlone.p50Ms} ms p99 ${validAlone.p99Ms} ms; ` +
            `during ${plan.floodRepeats} floods p50 ${validDuringFlood.p50Ms} ms p99 ${validDuringFlood.p99Ms} ms (${validDuringFlood.count} requests, ${validDuringFlood.errors} errors); ` +
            `wrong keys ${JSON.stringify(statuses)} in ${row.wrongKeys.wallMs} ms, ${row.lookups ?? '?'} lookups; ` +
            `CPU ms per wrong request ${row.cpuPerWrongRequest.map((c) => `${c.process} ${c.msPerOp}`).join(', ')}`,
        );
        rows.push(row);
      }
    } finally {
      valid.close();
      flood.close();
    }
    await settle();
  }
  return rows;
}

function wrongKey(): string {
  return `kl_${randomBytes(24).toString('base64url')}`;
}

function validRequest(client: HttpClient, apiKey: string, address: string): () => Promise<void> {
  return async () => {
    const res = await client.send('GET', validPath, undefined, {
      authorization: `Bearer ${apiKey}`,
      'x-forwarded-for': address,
    });
    if (res.status !== 200) throw new Error(`a valid key was answered ${res.status}: ${res.body.slice(0, 200)}`);
  };
}

/** Runs `op` one at a time while `going()` holds: the latencies of those that succeeded, and the failures. */
async function measureWhile(
  going: () => boolean,
  op: () => Promise<void>,
): Promise<{ latenciesMs: number[]; errors: number; errorSamples: string[]; wallMs: number }> {
  const latenciesMs: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  const started = process.hrtime.bigint();
  while (going()) {
    const t0 = process.hrtime.bigint();
    try {
      await op();
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } catch (error) {
      errors++;
      if (errorSamples.size < 3) errorSamples.add(error instanceof Error ? error.message : String(error));
    }
  }
  return {
    latenciesMs,
    errors,
    errorSamples: [...errorSamples],
    wallMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

function strip<T extends LatencySummary>(result: T): LatencySummary {
  const { count, errors, p50Ms, p99Ms, maxMs, perSecond, wallMs } = result;
  return { count, errors, p50Ms, p99Ms, maxMs, perSecond, wallMs };
}

/** The claim API's count of API key lookups (kubelabs_api_key_lookups_total), or undefined when it has none. */
async function readLookups(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^kubelabs_api_key_lookups_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
