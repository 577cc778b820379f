// [bench] `npm run bench`: in one bounded run on the local lanes, the warm-claim latency over HTTP at 1, 16 and 64
// clients, the floor under it on the same servers, the time from a claim on an empty pool to its activation, and what
// a flood of wrong API keys costs valid requests (negative cache and failure limit off, then on).
// Prints tables and writes reports/bench.json. `--quick` shrinks every round; `--profile` CPU-profiles the claim API;
// `--only auth-flood` runs only the wrong-key flood, on a platform of the claim API alone; `--only syncer` only the
// syncer scenario (creation inside a real tenant API server to host object, at 1, 10 and 50 watched tenants).
import { createWriteStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateSshKeyPair } from '@kubelabs/domain';
import { repoRoot, startLanes } from '@kubelabs/testing';
import { startPlatform, type RunningPlatform } from '../../simulator/src/run-platform';
import { startServiceProcess } from '../../simulator/src/service-process';
import { concurrencies, planBench, type BenchPlan } from './bench-plan';
import { startDbFloor } from './floors/db-floor';
import { startFloorServer } from './floors/start-floor-server';
import { cpuPerOperation, measureBaseline, withCpu, type CpuWindow } from './measure/cpu-window';
import { createHttpClient, type HttpClient } from './measure/http-client';
import { runWorkers } from './measure/run-workers';
import { authFloodPlan, measureAuthFlood, type AuthFloodRow } from './platform/auth-flood';
import { benchLab } from './platform/bench-labs';
import { claimCold, claimWarm, listPools, type ColdClaimTiming } from './platform/claim-requests';
import { waitForIdle, type IdleResult } from './platform/process-cpu';
import { measureSyncer, planSyncerBench } from './platform/syncer-sync';
import { printReport, type BenchReport, type RoundRow } from './report/bench-report';
import { computeRatios } from './report/compute-ratios';
import { rankProfile, readProfile } from './report/top-frames';

const roundTimeLimitMs = 30_000;
const poolFillTimeoutMs = 180_000;
const poolStallMs = 30_000;
const coldClaimTimeoutMs = 30_000;
// The services' own resync defaults (the test platform's 2 s would re-reconcile every tenant during the rounds);
// capacity unplanned, since the simulated host nodes would hold only a few dozen tenants.
const platformEnv = { LOG_LEVEL: 'warn', RESYNC_INTERVAL_MS: '10000' };
const serviceEnv = {
  // The auth-flood scenario names its clients with X-Forwarded-For from the loopback address it trusts.
  'claim-api': { TRUST_PROXY: '127.0.0.1,::1' },
  'pool-manager': { CAPACITY_SOURCE: 'unlimited' },
  provisioner: { PROVISION_CONCURRENCY: '32', RESYNC_INTERVAL_MS: '30000' },
};

function say(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

function describe(r: {
  count: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  errors: number;
  errorSamples: string[];
}): string {
  return `${r.count} done, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.perSecond}/s${r.errors ? `, ${r.errors} errors: ${r.errorSamples.join(' | ')}` : ''}`;
}

/** The services' and simulator's log lines go to a file, not the console (warnings only, with LOG_LEVEL=warn). */
function platformLog(path: string, cleanups: (() => Promise<unknown>)[]): (line: string) => void {
  const file = createWriteStream(path, { flags: 'a' });
  cleanups.unshift(() => new Promise((resolve) => file.end(resolve)));
  return (line) => void file.write(`${line}\n`);
}

/**
 * Waits until every warm pool is full. Fails early when provisioning stops moving: no tenant changed state or step
 * for a while (the provisioner applies every tenant before any is ready, so the ready count alone says too little).
 */
async function waitForPoolsFull(
  platform: RunningPlatform,
  client: HttpClient,
  labIds: readonly string[],
  logPath: string,
): Promise<number> {
  const started = Date.now();
  let lastSaid = 0;
  let lastPicture = '';
  let movedAt = Date.now();
  while (Date.now() - started < poolFillTimeoutMs) {
    const rows = (await listPools(client, platform.apiKey)).filter((p) => labIds.includes(p.labId));
    const ready = rows.reduce((sum, p) => sum + p.ready, 0);
    const wanted = rows.reduce((sum, p) => sum + p.minReady, 0);
    if (rows.length === labIds.length && rows.every((p) => p.ready >= p.minReady)) return Date.now() - started;
    const picture = JSON.stringify(
      await platform.persistence.tenants
        .aggregate([{ $group: { _id: { state: '$state', step: '$step' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
        .exec(),
    );
    if (picture !== lastPicture) {
      lastPicture = picture;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > poolStallMs) {
      throw new Error(
        `provisioning stopped moving at ${ready}/${wanted} ready tenants for ${poolStallMs / 1000} s; the services' warnings are in ${logPath}`,
      );
    }
    if (Date.now() - lastSaid > 10_000) {
      say(`pools: ${ready}/${wanted} ready, ${rows.reduce((sum, p) => sum + p.provisioning, 0)} provisioning`);
      lastSaid = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the pools were not full within ${poolFillTimeoutMs / 1000} s; the services' warnings are in ${logPath}`,
  );
}

/** Waits (bounded) until the platform is back to its resting CPU, so one round's after-effects stay out of the next. */
async function settle(baseline: CpuWindow | undefined, { quiet = false } = {}): Promise<IdleResult> {
  const resting = baseline ? baseline.cpu.reduce((sum, c) => sum + c.cores, 0) : 0.5;
  const idle = await waitForIdle({ maxCores: resting + 0.2, timeoutMs: 10_000, windowMs: quiet ? 250 : 500 });
  if (!idle.idle && !quiet)
    say(
      `not settled after 10 s (${idle.lastCores.toFixed(2)} cores busy, resting ${resting.toFixed(2)}); measuring anyway`,
    );
  return idle;
}

async function measureWarmClaims(
  platform: RunningPlatform,
  client: HttpClient,
  plan: BenchPlan,
  baseline: CpuWindow,
  sshPublicKey: string,
  windows: [number, number][],
): Promise<RoundRow[]> {
  const rows: RoundRow[] = [];
  for (const round of plan.rounds) {
    const settled = await settle(baseline);
    const from = Number(process.hrtime.bigint() / 1000n);
    const claim = (i: number): Promise<void> =>
      claimWarm(client, platform.apiKey, {
        labId: round.labId,
        userId: `${round.labId}-user-${i}`,
        ...(round.sshKey ? { sshPublicKey } : {}),
      });
    // The CPU window runs until the platform is at rest again, so each claim's after-effects (events, reconciles,
    // Kubernetes writes) are counted even when they finish after the last response.
    const { result, wallMs, ...cpuWindow } = await withCpu(async () => {
      const measured = await runWorkers({
        concurrency: round.concurrency,
        total: round.claims,
        timeLimitMs: roundTimeLimitMs,
        op: claim,
        ...(round.isolated ? { prepare: async () => void (await settle(baseline, { quiet: true })) } : {}),
      });
      windows.push([from, Number(process.hrtime.bigint() / 1000n)]);
      await settle(baseline);
      return measured;
    });
    say(`${round.name} x${round.concurrency}: ${describe(result)}`);
    if (round.warmup) {
      windows.pop();
      continue;
    }
    // At rest, the window is mostly waiting between claims: the resting baseline's noise would swamp a per-claim figure.
    const cpuPerClaim = round.isolated ? undefined : cpuPerOperation(cpuWindow.cpu, baseline.cpu, wallMs, result.count);
    rows.push({ measurement: round.name, ...result, settled, cpuWindow, ...(cpuPerClaim ? { cpuPerClaim } : {}) });
  }
  return rows;
}

async function measureFloors(
  platform: RunningPlatform,
  lanes: { mongoUrl: string; natsUrl: string },
  plan: BenchPlan,
  baseline: CpuWindow,
): Promise<NonNullable<BenchReport['floors']>> {
  const claimRounds = plan.rounds.filter((r) => !r.warmup && !r.isolated && r.sshKey);
  const tenantDocuments = await platform.persistence.tenants.countDocuments().exec();
  const takeAndPublish: RoundRow[] = [];
  const directFastPath: RoundRow[] = [];
  await settle(baseline);
  const floor = await startDbFloor(lanes);
  try {
    // Same pool size and collection size as the claim round at that concurrency, so the server does the same work.
    for (const [kind, rows, op] of [
      ['take + publish', takeAndPublish, floor.takeAndPublish],
      ['direct fast path', directFastPath, floor.directFastPath],
    ] as const) {
      for (const round of claimRounds) {
        await floor.seed(round.claims, tenantDocuments);
        await runWorkers({
          concurrency: round.concurrency,
          total: Math.min(32, round.claims),
          timeLimitMs: roundTimeLimitMs,
          op,
        }); // warm-up
        await floor.seed(round.claims, tenantDocuments);
        const {
          result,
          wallMs: _,
          ...cpuWindow
        } = await withCpu(() =>
          runWorkers({ concurrency: round.concurrency, total: round.claims, timeLimitMs: roundTimeLimitMs, op }),
        );
        say(`floor ${kind} x${round.concurrency}: ${describe(result)}`);
        rows.push({ measurement: `floor: ${kind}`, ...result, cpuWindow });
      }
    }
  } finally {
    await floor.close();
  }

  const empty = async (kind: 'empty-fastify' | 'empty-nest'): Promise<RoundRow[]> => {
    const server = await startFloorServer(kind);
    const client = createHttpClient(server.url, { connections: Math.max(...concurrencies) });
    const body = {
      labId: 'bench-c1',
      userId: 'floor-user',
      sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbench',
    };
    const op = async (): Promise<void> => {
      const res = await client.send('POST', '/v1/claims', body, { authorization: 'Bearer floor' });
      if (res.status !== 201 && res.status !== 200) throw new Error(`${kind} answered ${res.status}`);
    };
    const rows: RoundRow[] = [];
    try {
      await runWorkers({ concurrency: 16, total: 2_000, timeLimitMs: 10_000, op }); // warm-up
      for (const concurrency of concurrencies) {
        const {
          result,
          wallMs: _,
          ...cpuWindow
        } = await withCpu(() =>
          runWorkers({ concurrency, total: plan.emptyHttpRequests[concurrency] ?? 1_000, timeLimitMs: 10_000, op }),
        );
        say(`floor ${kind} x${concurrency}: ${describe(result)}`);
        rows.push({ measurement: `floor: ${kind} {}`, ...result, cpuWindow });
      }
    } finally {
      client.close();
      await server.stop();
    }
    return rows;
  };
  return {
    takeAndPublish,
    directFastPath,
    emptyFastify: await empty('empty-fastify'),
    emptyNest: await empty('empty-nest'),
  };
}

async function measureColdClaims(
  platform: RunningPlatform,
  client: HttpClient,
  plan: BenchPlan,
  baseline: CpuWindow,
  sshPublicKey: string,
): Promise<ColdClaimTiming[]> {
  const timings: ColdClaimTiming[] = [];
  for (let i = 0; i < plan.coldRepeats; i++) {
    await settle(baseline);
    const timing = await claimCold(
      client,
      platform.claimApiUrl,
      platform.apiKey,
      { labId: plan.coldLabId, userId: `cold-user-${i}`, sshPublicKey },
      coldClaimTimeoutMs,
    );
    say(
      `cold claim ${i + 1}/${plan.coldRepeats}: accepted in ${timing.acceptedMs.toFixed(1)} ms, active after ${timing.activeMs.toFixed(0)} ms`,
    );
    timings.push(timing);
  }
  return timings;
}

/**
 * The wrong-key flood against the platform's claim API (negative cache and failure limit at their defaults) and
 * against a second claim API process on the same servers with both turned off, which answers like the code before
 * them: every wrong key one MongoDB lookup.
 */
async function measureAuthFloods(
  platform: RunningPlatform,
  baseline: CpuWindow | undefined,
  log: (line: string) => void,
): Promise<AuthFloodRow[]> {
  const unprotected = await startServiceProcess('claim-api', {
    ...platform.env,
    ...authFloodUnprotectedEnv,
  });
  unprotected.child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
  try {
    return await measureAuthFlood(
      [
        { protection: 'off', url: unprotected.url, apiKey: platform.apiKey },
        { protection: 'on', url: platform.claimApiUrl, apiKey: platform.apiKey },
      ],
      { settle: () => settle(baseline, { quiet: true }), say },
    );
  } finally {
    await unprotected.stop('SIGTERM', 10_000);
  }
}

const authFloodUnprotectedEnv = { API_KEY_NEGATIVE_CACHE_MS: '0', AUTH_FAILURE_LIMIT: '0' };

function byConcurrency(rows: readonly RoundRow[]): Map<number, RoundRow> {
  return new Map(rows.map((r) => [r.concurrency, r]));
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = new Set(argv);
  const only = argv.includes('--only')
    ? (argv[argv.indexOf('--only') + 1] ?? '')
    : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && only !== 'auth-flood' && only !== 'syncer')
    throw new Error(`--only takes a scenario name: auth-flood or syncer (got '${only}')`);
  const onlyAuthFlood = only === 'auth-flood';
  const onlySyncer = only === 'syncer';
  const syncerPlan = planSyncerBench({ quick: args.has('--quick') });
  const plan = planBench({ quick: args.has('--quick') });
  const profileDir = args.has('--profile') ? join(repoRoot, 'reports', 'bench-profile') : undefined;
  const instance = `bench-${randomBytes(3).toString('hex')}`;
  const sshPublicKey = generateSshKeyPair('kubelabs-bench').public;
  const keygen = await runWorkers({
    concurrency: 1,
    total: 200,
    timeLimitMs: 5_000,
    op: async () => void generateSshKeyPair('kubelabs-bench'),
  });
  const warmTenants = onlyAuthFlood || onlySyncer ? 0 : plan.rounds.reduce((sum, r) => sum + r.claims, 0);
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version },
    settings: {
      instance,
      bootMs: plan.bootMs,
      platformEnv: {},
      serviceEnv,
      plan,
      authFloodPlan,
      authFloodUnprotectedEnv,
      ...(onlyAuthFlood ? { only } : {}),
      profiled: !!profileDir,
    },
    poolFill: { tenants: warmTenants, ms: 0 },
    sshKeyGeneration: { count: keygen.count, p50Ms: keygen.p50Ms, p99Ms: keygen.p99Ms },
    warmClaims: [],
    ratios: [],
  };
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    while (cleanups.length > 0)
      await cleanups.pop()!().catch((error: unknown) => say(`cleanup failed: ${String(error)}`));
  };
  const onSignal = (): void => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }

  const windows: [number, number][] = [];
  let cold: ColdClaimTiming[] = [];
  try {
    say('starting the lanes (NATS, MongoDB wire, Kubernetes API)');
    const logDir = join(repoRoot, '.lane', 'bench-logs');
    const logPath = join(logDir, `platform-${instance}.log`);
    const lanes = await startLanes({ logDir });
    cleanups.push(() => lanes.stop());
    const syncerScenario = async () => {
      say('syncer: a platform with real tenant API servers');
      report.syncer = await measureSyncer(
        lanes.urls,
        `${instance}-sync`,
        syncerPlan,
        platformLog(logPath, cleanups),
        say,
      );
    };
    if (onlySyncer) await syncerScenario();
    else {
      const labs = onlyAuthFlood
        ? [benchLab(plan.coldLabId, { minReady: 0, maxTotal: plan.coldRepeats })]
        : [
            ...plan.rounds.map((r) => benchLab(r.labId, { minReady: r.claims, maxTotal: r.claims })),
            benchLab(plan.coldLabId, { minReady: 0, maxTotal: plan.coldRepeats }),
          ];
      const log = platformLog(logPath, cleanups);
      say(
        `starting the platform (instance ${instance}, simulator boot ${plan.bootMs} ms, ${warmTenants} warm tenants to provision; logs in .lane/bench-logs)`,
      );
      const platform = await startPlatform({
        natsUrl: lanes.urls.natsUrl,
        mongoUrl: lanes.urls.mongoUrl,
        kubeconfigPath: lanes.urls.kubeconfigPath,
        instance,
        labs,
        ...(onlyAuthFlood ? { services: ['claim-api'] as const } : {}),
        simulator: { bootMs: plan.bootMs },
        env: platformEnv,
        serviceEnv: {
          ...serviceEnv,
          ...(profileDir
            ? { 'claim-api': { ...serviceEnv['claim-api'], NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } }
            : {}),
        },
        log,
      });
      cleanups.push(() => platform.stop());
      report.settings.platformEnv = Object.fromEntries(
        Object.entries(platform.env).filter(([k]) =>
          ['READINESS_POLL_MS', 'RESYNC_INTERVAL_MS', 'LOG_LEVEL'].includes(k),
        ),
      );
      const client = createHttpClient(platform.claimApiUrl, { connections: Math.max(...concurrencies) });
      cleanups.push(async () => client.close());

      if (onlyAuthFlood) {
        await waitForIdle({ maxCores: 0.8, timeoutMs: 15_000 });
        report.baseline = await measureBaseline(3_000);
        report.authFlood = await measureAuthFloods(platform, report.baseline, log);
      } else {
        report.poolFill.ms = await waitForPoolsFull(
          platform,
          client,
          plan.rounds.map((r) => r.labId),
          logPath,
        );
        say(`pools full after ${(report.poolFill.ms / 1000).toFixed(1)} s`);
        await waitForIdle({ maxCores: 0.8, timeoutMs: 15_000 });
        const baseline = await measureBaseline(3_000);
        report.baseline = baseline;
        say(
          `resting: ${baseline.cpu.map((c) => `${c.process} ${c.cores}`).join(', ')} cores; other load on the machine ${baseline.otherCores} cores`,
        );

        report.warmClaims = await measureWarmClaims(platform, client, plan, baseline, sshPublicKey, windows);
        report.floors = await measureFloors(platform, lanes.urls, plan, baseline);
        cold = await measureColdClaims(platform, client, plan, baseline, sshPublicKey);
        report.authFlood = await measureAuthFloods(platform, baseline, log);
        await syncerScenario();
      }
    }
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await cleanup();
  }

  if (report.floors) {
    const keyGiven = report.warmClaims.filter((r) => r.measurement === 'claim, key given');
    const atRest = report.warmClaims.filter((r) => r.measurement === 'claim, key given, at rest');
    const floors = [
      byConcurrency(report.floors.takeAndPublish),
      byConcurrency(report.floors.emptyFastify),
      byConcurrency(report.floors.directFastPath),
    ] as const;
    report.ratios = [
      ...computeRatios(byConcurrency(atRest), ...floors, 'at rest'),
      ...computeRatios(byConcurrency(keyGiven), ...floors),
    ];
  }
  if (cold.length > 0) {
    const activeMs = cold.map((c) => c.activeMs);
    report.coldClaims = {
      bootMs: plan.bootMs,
      runs: cold,
      medianActiveMs: median(activeMs),
      maxActiveMs: Math.max(...activeMs),
      medianOverheadMs: median(activeMs) - plan.bootMs,
    };
  }
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) report.claimApiProfile = rankProfile(readProfile(join(profileDir, file)), { windows, top: 15 });
    else say('no CPU profile was written by the claim API');
  }
  report.finishedAt = new Date().toISOString();
  process.stdout.write(printReport(report));
  mkdirSync(join(repoRoot, 'reports'), { recursive: true });
  writeFileSync(join(repoRoot, 'reports', 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  say('wrote reports/bench.json');
  return report.error ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
