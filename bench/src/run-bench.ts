// [bench] `npm run bench`: in one bounded run on the local lanes, the warm-claim latency over HTTP at 1, 16 and 64
// clients, the floor under it on the same servers, and the time from a claim on an empty pool to its activation.
// Prints tables and writes reports/bench.json. `--quick` shrinks every round; `--profile` CPU-profiles the claim API.
import { createWriteStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { utils as sshUtils } from 'ssh2';
import { repoRoot, startLanes, waitFor } from '@kubelabs/testing';
import { startPlatform, type RunningPlatform } from '../../simulator/src/run-platform';
import { startDbFloor } from './floors/db-floor';
import { startFloorServer } from './floors/start-floor-server';
import { createHttpClient, type HttpClient } from './measure/http-client';
import { runWorkers, type WorkerResult } from './measure/run-workers';
import { benchLab } from './platform/bench-labs';
import { claimCold, claimWarm, listPools, type ColdClaimTiming } from './platform/claim-requests';
import { cpuBetween, sampleProcessCpu, waitForIdle, type CpuShare, type IdleResult } from './platform/process-cpu';
import { computeRatios } from './report/compute-ratios';
import { formatTable } from './report/format-table';
import { rankProfile, readProfile } from './report/top-frames';

const concurrencies = [1, 16, 64] as const;
const bootMs = 50;
const roundTimeLimitMs = 30_000;
const poolFillTimeoutMs = 180_000;
const coldClaimTimeoutMs = 30_000;
// The services' own resync defaults (the test platform's 2 s would re-reconcile every tenant during the rounds);
// capacity unplanned, since the simulated host nodes would hold only a few dozen tenants.
const platformEnv = { LOG_LEVEL: 'warn', RESYNC_INTERVAL_MS: '10000' };
const serviceEnv = {
  'pool-manager': { CAPACITY_SOURCE: 'unlimited' },
  provisioner: { PROVISION_CONCURRENCY: '32', RESYNC_INTERVAL_MS: '30000' },
};

interface WarmRound {
  name: string;
  labId: string;
  concurrency: number;
  claims: number;
  /** false: the body has no sshPublicKey, so the claim API generates a key pair on the request path. */
  sshKey: boolean;
  /** Warm-up rounds prime connections and the JIT; their figures are not reported. */
  warmup?: boolean;
}

interface BenchPlan {
  rounds: WarmRound[];
  emptyHttpRequests: Record<number, number>;
  coldRepeats: number;
}

function planBench({ quick }: { quick: boolean }): BenchPlan {
  const scale = quick ? 0.25 : 1;
  const n = (count: number): number => Math.max(8, Math.round(count * scale));
  return {
    rounds: [
      { name: 'warm-up', labId: 'bench-warmup', concurrency: 8, claims: n(32), sshKey: true, warmup: true },
      { name: 'claim, key given', labId: 'bench-c1', concurrency: 1, claims: n(100), sshKey: true },
      { name: 'claim, key given', labId: 'bench-c16', concurrency: 16, claims: n(256), sshKey: true },
      { name: 'claim, key given', labId: 'bench-c64', concurrency: 64, claims: n(384), sshKey: true },
      { name: 'claim, key generated', labId: 'bench-keygen', concurrency: 16, claims: n(128), sshKey: false },
    ],
    emptyHttpRequests: { 1: n(2_000), 16: n(6_000), 64: n(10_000) },
    coldRepeats: 5,
  };
}

const coldLabId = 'bench-cold';

interface MeasuredRow extends WorkerResult {
  measurement: string;
  idle?: IdleResult;
  /** CPU per process of the bench's tree during the round (claim rounds only). */
  cpu?: CpuShare[];
}

function say(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

async function waitForPoolsFull(client: HttpClient, apiKey: string, labIds: readonly string[]): Promise<number> {
  const started = Date.now();
  let last = '';
  await waitFor(
    `the bench pools (${labIds.join(', ')}) to be full`,
    async () => {
      const rows = (await listPools(client, apiKey)).filter((p) => labIds.includes(p.labId));
      const ready = rows.reduce((sum, p) => sum + p.ready, 0);
      const wanted = rows.reduce((sum, p) => sum + p.minReady, 0);
      const provisioning = rows.reduce((sum, p) => sum + p.provisioning, 0);
      const line = `pools: ${ready}/${wanted} ready, ${provisioning} provisioning`;
      if (line !== last && (Date.now() - started > 5_000 || ready === wanted)) say(line);
      last = line;
      return rows.length === labIds.length && rows.every((p) => p.ready >= p.minReady);
    },
    { timeoutMs: poolFillTimeoutMs, intervalMs: 500 },
  );
  return Date.now() - started;
}

/** The services' and simulator's log lines go to a file, not the console (warnings only, with LOG_LEVEL=warn). */
function platformLog(path: string, cleanups: (() => Promise<unknown>)[]): (line: string) => void {
  const file = createWriteStream(path, { flags: 'a' });
  cleanups.unshift(() => new Promise((resolve) => file.end(resolve)));
  return (line) => void file.write(`${line}\n`);
}

async function settle(): Promise<IdleResult> {
  const idle = await waitForIdle({ maxCores: 0.25, timeoutMs: 30_000 });
  if (!idle.idle) say(`the platform did not settle within 30 s (still ${idle.lastCores.toFixed(2)} cores busy); measuring anyway`);
  return idle;
}

async function measureWarmClaims(platform: RunningPlatform, client: HttpClient, plan: BenchPlan, sshPublicKey: string, windows: [number, number][]): Promise<MeasuredRow[]> {
  const rows: MeasuredRow[] = [];
  for (const round of plan.rounds) {
    const idle = await settle();
    const from = Number(process.hrtime.bigint() / 1000n);
    const cpuBefore = sampleProcessCpu();
    const result = await runWorkers({
      concurrency: round.concurrency,
      total: round.claims,
      timeLimitMs: roundTimeLimitMs,
      op: (i) => claimWarm(client, platform.apiKey, { labId: round.labId, userId: `${round.labId}-user-${i}`, ...(round.sshKey ? { sshPublicKey } : {}) }),
    });
    const cpu = cpuBetween(cpuBefore, sampleProcessCpu(), result.wallMs);
    if (!round.warmup) windows.push([from, Number(process.hrtime.bigint() / 1000n)]);
    say(`${round.name} x${round.concurrency}: ${result.count} claims, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.perSecond}/s${result.errors ? `, ${result.errors} errors: ${result.errorSamples.join(' | ')}` : ''}`);
    if (!round.warmup) rows.push({ measurement: round.name, ...result, idle, cpu });
  }
  return rows;
}

async function measureFloors(platform: RunningPlatform, lanes: { mongoUrl: string; natsUrl: string }, plan: BenchPlan): Promise<{ db: MeasuredRow[]; direct: MeasuredRow[]; fastify: MeasuredRow[]; nest: MeasuredRow[] }> {
  const claimRounds = plan.rounds.filter((r) => !r.warmup && r.sshKey);
  const tenantDocuments = await platform.persistence.tenants.countDocuments().exec();
  const floor = await startDbFloor(lanes);
  const db: MeasuredRow[] = [];
  const direct: MeasuredRow[] = [];
  try {
    // Same pool size and collection size as the claim round at that concurrency, so the server does the same work.
    for (const [kind, rows, op] of [
      ['take + publish', db, floor.takeAndPublish],
      ['direct fast path', direct, floor.directFastPath],
    ] as const) {
      for (const round of claimRounds) {
        await floor.seed(round.claims, tenantDocuments);
        await runWorkers({ concurrency: round.concurrency, total: Math.min(32, round.claims), timeLimitMs: roundTimeLimitMs, op }); // warm-up
        await floor.seed(round.claims, tenantDocuments);
        const idle = await settle();
        const result = await runWorkers({ concurrency: round.concurrency, total: round.claims, timeLimitMs: roundTimeLimitMs, op });
        say(`floor ${kind} x${round.concurrency}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.perSecond}/s${result.errors ? `, ${result.errors} errors: ${result.errorSamples.join(' | ')}` : ''}`);
        rows.push({ measurement: `floor: ${kind}`, ...result, idle });
      }
    }
  } finally {
    await floor.close();
  }

  const empty = async (kind: 'empty-fastify' | 'empty-nest'): Promise<MeasuredRow[]> => {
    const server = await startFloorServer(kind);
    const client = createHttpClient(server.url, { connections: Math.max(...concurrencies) });
    const body = { labId: 'bench-c1', userId: 'floor-user', sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbench' };
    const op = async (): Promise<void> => {
      const res = await client.send('POST', '/v1/claims', body, { authorization: 'Bearer floor' });
      if (res.status !== 201 && res.status !== 200) throw new Error(`${kind} answered ${res.status}`);
    };
    const rows: MeasuredRow[] = [];
    try {
      await runWorkers({ concurrency: 16, total: 2_000, timeLimitMs: 10_000, op }); // warm-up
      for (const concurrency of concurrencies) {
        const idle = await settle();
        const result = await runWorkers({ concurrency, total: plan.emptyHttpRequests[concurrency] ?? 1_000, timeLimitMs: 10_000, op });
        say(`floor ${kind} x${concurrency}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.perSecond}/s`);
        rows.push({ measurement: `floor: ${kind} {}`, ...result, idle });
      }
    } finally {
      client.close();
      await server.stop();
    }
    return rows;
  };
  return { db, direct, fastify: await empty('empty-fastify'), nest: await empty('empty-nest') };
}

async function measureColdClaims(platform: RunningPlatform, client: HttpClient, plan: BenchPlan, sshPublicKey: string): Promise<ColdClaimTiming[]> {
  const timings: ColdClaimTiming[] = [];
  for (let i = 0; i < plan.coldRepeats; i++) {
    await settle();
    const timing = await claimCold(client, platform.claimApiUrl, platform.apiKey, { labId: coldLabId, userId: `cold-user-${i}`, sshPublicKey }, coldClaimTimeoutMs);
    say(`cold claim ${i + 1}/${plan.coldRepeats}: accepted in ${timing.acceptedMs.toFixed(1)} ms, active after ${timing.activeMs.toFixed(0)} ms`);
    timings.push(timing);
  }
  return timings;
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function byConcurrency(rows: readonly MeasuredRow[]): Map<number, MeasuredRow> {
  return new Map(rows.map((r) => [r.concurrency, r]));
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const plan = planBench({ quick: args.has('--quick') });
  const profileDir = args.has('--profile') ? join(repoRoot, 'reports', 'bench-profile') : undefined;
  const startedAt = new Date();
  const instance = `bench-${randomBytes(3).toString('hex')}`;
  const sshPublicKey = sshUtils.generateKeyPairSync('ed25519', { comment: 'kubelabs bench' }).public;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => say(`cleanup failed: ${String(error)}`));
  };
  const onSignal = (): void => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }

  const windows: [number, number][] = [];
  let fillMs = 0;
  let warm: MeasuredRow[] = [];
  let floors: Awaited<ReturnType<typeof measureFloors>> | undefined;
  let cold: ColdClaimTiming[] = [];
  let platformEnvReport: Record<string, string> = {};
  try {
    say('starting the lanes (NATS, MongoDB wire, Kubernetes API)');
    const logDir = join(repoRoot, '.lane', 'bench-logs');
    const lanes = await startLanes({ logDir });
    cleanups.push(() => lanes.stop());
    const labs = [...plan.rounds.map((r) => benchLab(r.labId, { minReady: r.claims, maxTotal: r.claims })), benchLab(coldLabId, { minReady: 0, maxTotal: plan.coldRepeats })];
    say(`starting the platform (instance ${instance}, simulator boot ${bootMs} ms, ${plan.rounds.reduce((s, r) => s + r.claims, 0)} warm tenants to provision)`);
    const platform = await startPlatform({
      natsUrl: lanes.urls.natsUrl,
      mongoUrl: lanes.urls.mongoUrl,
      kubeconfigPath: lanes.urls.kubeconfigPath,
      instance,
      labs,
      simulator: { bootMs },
      env: platformEnv,
      log: platformLog(join(logDir, `platform-${instance}.log`), cleanups),
      serviceEnv: { ...serviceEnv, ...(profileDir ? { 'claim-api': { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {}) },
    });
    cleanups.push(() => platform.stop());
    platformEnvReport = Object.fromEntries(Object.entries(platform.env).filter(([k]) => ['READINESS_POLL_MS', 'RESYNC_INTERVAL_MS', 'LOG_LEVEL'].includes(k)));
    const client = createHttpClient(platform.claimApiUrl, { connections: Math.max(...concurrencies) });
    cleanups.push(async () => client.close());

    fillMs = await waitForPoolsFull(client, platform.apiKey, plan.rounds.map((r) => r.labId));
    say(`pools full after ${(fillMs / 1000).toFixed(1)} s`);
    warm = await measureWarmClaims(platform, client, plan, sshPublicKey, windows);
    floors = await measureFloors(platform, lanes.urls, plan);
    cold = await measureColdClaims(platform, client, plan, sshPublicKey);
  } finally {
    await cleanup();
  }

  const keyGiven = warm.filter((r) => r.measurement === 'claim, key given');
  const ratios = floors ? computeRatios(byConcurrency(keyGiven), byConcurrency(floors.db), byConcurrency(floors.fastify), byConcurrency(floors.direct)) : [];
  const activeMs = cold.map((c) => c.activeMs);
  const coldSummary = { bootMs, runs: cold, medianActiveMs: median(activeMs), maxActiveMs: Math.max(...activeMs), medianOverheadMs: median(activeMs) - bootMs };

  let profile: ReturnType<typeof rankProfile> | undefined;
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) profile = rankProfile(readProfile(join(profileDir, file)), { windows, top: 15 });
    else say('no CPU profile was written by the claim API');
  }

  const allRows = [...warm, ...(floors ? [...floors.db, ...floors.direct, ...floors.fastify, ...floors.nest] : [])];
  const out: string[] = [''];
  out.push(`kubelabs bench  (${startedAt.toISOString()}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version})`);
  out.push('');
  out.push(
    formatTable(
      ['measurement', 'clients', 'n', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'per s'],
      allRows.map((r) => [r.measurement, r.concurrency, r.count, r.errors, r.p50Ms, r.p99Ms, r.maxMs, r.perSecond]),
    ),
  );
  if (ratios.length > 0) {
    out.push('', 'claim latency against its floor  (floor = take + publish p50 + empty Fastify p50; direct = the same storage calls without HTTP)');
    out.push(
      formatTable(
        ['clients', 'claim p50', 'floor p50', 'ratio p50', 'claim p99', 'floor p99', 'ratio p99', 'direct p50', 'HTTP+Nest ms'],
        ratios.map((r) => [r.concurrency, r.claimP50Ms, r.floorP50Ms, r.ratioP50, r.claimP99Ms, r.floorP99Ms, r.ratioP99, r.directP50Ms, r.httpAndFrameworkMs]),
      ),
    );
  }
  const cpuProcesses = [...new Set(warm.flatMap((r) => (r.cpu ?? []).slice(0, 8).map((c) => c.process)))];
  if (cpuProcesses.length > 0) {
    out.push('', 'CPU during each claim round, in cores (2 cores in all; other load on the machine not included)');
    out.push(
      formatTable(
        ['process', ...warm.map((r) => `${r.measurement.includes('generated') ? 'keygen ' : ''}x${r.concurrency}`)],
        cpuProcesses.map((name) => [name, ...warm.map((r) => r.cpu?.find((c) => c.process === name)?.cores ?? 0)]),
      ),
    );
  }
  if (cold.length > 0) {
    out.push('', `claim on an empty pool until active  (simulator boot ${bootMs} ms; ${JSON.stringify(platformEnvReport)})`);
    out.push(
      formatTable(
        ['run', '202 after ms', 'active after ms', 'minus boot ms'],
        cold.map((c, i) => [i + 1, c.acceptedMs, c.activeMs, c.activeMs - bootMs]),
      ),
    );
    const typical = cold.toSorted((a, b) => a.activeMs - b.activeMs)[Math.floor(cold.length / 2)]!;
    out.push(`timeline of the median run: ${typical.events.map((e) => `${e.step ?? e.type} ${e.atMs.toFixed(0)}`).join(' → ')} ms`);
    out.push(`median ${coldSummary.medianActiveMs.toFixed(0)} ms, max ${coldSummary.maxActiveMs.toFixed(0)} ms, platform overhead (median - boot) ${coldSummary.medianOverheadMs.toFixed(0)} ms`);
  }
  if (profile) {
    out.push('', `claim API CPU profile during the measured claim rounds (${profile.totalMs} ms sampled)`);
    out.push(formatTable(['package', 'self ms', '%'], profile.packages.map((p) => [p.name, p.selfMs, p.percent])));
    out.push('', formatTable(['function (self time)', 'self ms', '%'], profile.frames.map((p) => [p.name, p.selfMs, p.percent])));
  }
  out.push('', `pool fill: ${plan.rounds.reduce((s, r) => s + r.claims, 0)} tenants ready after ${(fillMs / 1000).toFixed(1)} s`);
  process.stdout.write(`${out.join('\n')}\n`);

  mkdirSync(join(repoRoot, 'reports'), { recursive: true });
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version },
    settings: { instance, bootMs, platformEnv: platformEnvReport, serviceEnv, plan },
    poolFillMs: fillMs,
    warmClaims: warm,
    floors,
    ratios,
    coldClaims: coldSummary,
    ...(profile ? { claimApiProfile: profile } : {}),
  };
  writeFileSync(join(repoRoot, 'reports', 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(`wrote reports/bench.json`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
