// The bench's result as one JSON-ready object, and its console form. Printing is pure.
import type { CpuWindow } from '../measure/cpu-window';
import type { WorkerResult } from '../measure/run-workers';
import type { AuthFloodRow } from '../platform/auth-flood';
import type { ColdClaimTiming } from '../platform/claim-requests';
import type { IdleResult } from '../platform/process-cpu';
import type { SyncerReport } from '../platform/syncer-sync';
import type { FloorRatio } from './compute-ratios';
import { formatTable } from './format-table';
import type { rankProfile } from './top-frames';

export interface RoundRow extends WorkerResult {
  measurement: string;
  settled?: IdleResult;
  cpuWindow?: CpuWindow;
  /** CPU ms per claim each process spent above its resting baseline (claim rounds only). */
  cpuPerClaim?: { process: string; msPerOp: number }[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; loadavg: number[]; node: string };
  settings: Record<string, unknown> & { bootMs: number; platformEnv: Record<string, string> };
  poolFill: { tenants: number; ms: number };
  /** What generating the claim's SSH key pair costs on its own (ssh2 ed25519, in the bench process), in ms. */
  sshKeyGeneration?: { count: number; p50Ms: number; p99Ms: number };
  baseline?: CpuWindow;
  warmClaims: RoundRow[];
  floors?: { takeAndPublish: RoundRow[]; directFastPath: RoundRow[]; emptyFastify: RoundRow[]; emptyNest: RoundRow[] };
  ratios: FloorRatio[];
  coldClaims?: {
    bootMs: number;
    runs: ColdClaimTiming[];
    medianActiveMs: number;
    maxActiveMs: number;
    medianOverheadMs: number;
  };
  claimApiProfile?: ReturnType<typeof rankProfile>;
  /** Valid-request latency alone and during wrong-key floods, with the negative cache and failure limit off and on. */
  authFlood?: AuthFloodRow[];
  syncer?: SyncerReport;
  error?: string;
}

const roundLabel = (r: RoundRow): string =>
  `${r.measurement.includes('generated') ? 'keygen ' : r.measurement.includes('at rest') ? 'rest ' : ''}x${r.concurrency}`;

export function printReport(report: BenchReport): string {
  const out: string[] = [''];
  out.push(
    `kubelabs bench  ${report.startedAt}  ${report.machine.cpus} CPUs, load ${report.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}, Node ${report.machine.node}`,
  );
  if (report.error) out.push(`INCOMPLETE: ${report.error}`);
  const floors = report.floors;
  const rows = [
    ...report.warmClaims,
    ...(floors
      ? [...floors.takeAndPublish, ...floors.directFastPath, ...floors.emptyFastify, ...floors.emptyNest]
      : []),
  ];
  if (rows.length > 0) {
    out.push(
      '',
      formatTable(
        ['measurement', 'clients', 'n', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'per s', 'other load'],
        rows.map((r) => [
          r.measurement,
          r.concurrency,
          r.count,
          r.errors,
          r.p50Ms,
          r.p99Ms,
          r.maxMs,
          r.perSecond,
          r.cpuWindow ? r.cpuWindow.otherCores : '',
        ]),
      ),
    );
    out.push(
      "(other load: cores used on the machine by processes outside this bench during the round; 'at rest': each claim sent once the platform is idle, so its per s is not a rate)",
    );
  }
  const errors = rows.filter((r) => r.errorSamples.length > 0);
  for (const r of errors) out.push(`errors in ${r.measurement} x${r.concurrency}: ${r.errorSamples.join(' | ')}`);

  if (report.ratios.length > 0) {
    out.push(
      '',
      "claim against its floor  (floor = take+publish p50 + empty Fastify p50; direct = the fast path's storage calls without HTTP)",
    );
    out.push(
      formatTable(
        [
          'clients',
          'claim p50',
          'floor p50',
          'ratio',
          'claim p99',
          'floor p99',
          'ratio',
          'direct p50',
          'claim - direct',
        ],
        report.ratios.map((r) => [
          `${r.concurrency}${r.label ? ` ${r.label}` : ''}`,
          r.claimP50Ms,
          r.floorP50Ms,
          r.ratioP50,
          r.claimP99Ms,
          r.floorP99Ms,
          r.ratioP99,
          r.directP50Ms,
          r.httpAndFrameworkMs,
        ]),
      ),
    );
  }

  const claimRounds = report.warmClaims.filter((r) => r.cpuPerClaim);
  if (claimRounds.length > 0) {
    const names = [
      ...new Set(claimRounds.flatMap((r) => r.cpuPerClaim!.filter((c) => c.msPerOp >= 0.01).map((c) => c.process))),
    ];
    const at = (r: RoundRow, name: string): number => r.cpuPerClaim?.find((c) => c.process === name)?.msPerOp ?? 0;
    names.sort((a, b) => at(claimRounds[0]!, b) - at(claimRounds[0]!, a));
    out.push(
      '',
      'CPU ms per claim above the resting baseline, by process, after-effects included  (resting = cores used with the pools full and no claims)',
    );
    out.push(
      formatTable(
        ['process', 'resting cores', ...claimRounds.map(roundLabel)],
        [
          ...names.map((name) => [
            name,
            report.baseline?.cpu.find((c) => c.process === name)?.cores ?? 0,
            ...claimRounds.map((r) => at(r, name)),
          ]),
          [
            'total',
            report.baseline ? round2(report.baseline.cpu.reduce((s, c) => s + c.cores, 0)) : 0,
            ...claimRounds.map((r) => round2((r.cpuPerClaim ?? []).reduce((s, c) => s + c.msPerOp, 0))),
          ],
        ],
      ),
    );
  }

  const keygen = report.sshKeyGeneration;
  if (keygen)
    out.push(
      '',
      `SSH key pair generation alone (ssh2 ed25519, ${keygen.count} in the bench process): p50 ${keygen.p50Ms} ms, p99 ${keygen.p99Ms} ms`,
    );

  const cold = report.coldClaims;
  if (cold && cold.runs.length > 0) {
    out.push(
      '',
      `claim on an empty pool until active  (simulator boot ${cold.bootMs} ms; ${JSON.stringify(report.settings.platformEnv)})`,
    );
    out.push(
      formatTable(
        ['run', '202 after ms', 'active after ms', 'minus boot ms'],
        cold.runs.map((c, i) => [i + 1, c.acceptedMs, c.activeMs, c.activeMs - cold.bootMs]),
      ),
    );
    const typical = cold.runs.toSorted((a, b) => a.activeMs - b.activeMs)[Math.floor(cold.runs.length / 2)]!;
    out.push(
      `median run's progress events (ms after POST): ${typical.events.map((e) => `${e.step ?? e.type} ${e.atMs.toFixed(0)}`).join(' > ')}`,
    );
    out.push(
      `median ${cold.medianActiveMs.toFixed(0)} ms, max ${cold.maxActiveMs.toFixed(0)} ms; platform overhead (median - boot) ${cold.medianOverheadMs.toFixed(0)} ms`,
    );
  }

  const flood = report.authFlood;
  if (flood && flood.length > 0) {
    const plan = report.settings.authFloodPlan as
      { floodRequests: number; floodConcurrency: number; floodRepeats: number } | undefined;
    out.push(
      '',
      `valid requests (GET /v1/labs, one client, one at a time) alone and during floods of ${plan?.floodRequests ?? '?'} wrong-key requests, ${plan?.floodConcurrency ?? '?'} at a time (${plan?.floodRepeats ?? '?'} floods per row, pooled)  (protection: negative cache + failure limit)`,
    );
    out.push(
      formatTable(
        [
          'protection',
          'flood',
          'alone p50',
          'alone p99',
          'flood p50',
          'flood p99',
          'valid n',
          'valid errors',
          '401',
          '429',
          'lookups',
          'flood ms',
          'API CPU/req',
          'mongo CPU/req',
        ],
        flood.map((r) => [
          r.protection,
          r.flood,
          r.validAlone.p50Ms,
          r.validAlone.p99Ms,
          r.validDuringFlood.p50Ms,
          r.validDuringFlood.p99Ms,
          r.validDuringFlood.count,
          r.validDuringFlood.errors,
          r.wrongKeys.statuses['401'] ?? 0,
          r.wrongKeys.statuses['429'] ?? 0,
          r.lookups ?? '-',
          r.wrongKeys.wallMs,
          r.cpuPerWrongRequest.find((c) => c.process === 'claim-api')?.msPerOp ?? 0,
          r.cpuPerWrongRequest.find((c) => c.process === 'mongo (java)')?.msPerOp ?? 0,
        ]),
      ),
    );
    out.push(
      "(lookups: API key queries the claim API sent to MongoDB during the flood; CPU/req: CPU ms per wrong-key request; 'new address each': forged X-Forwarded-For)",
    );
    for (const r of flood.filter((row) => row.validDuringFlood.errorSamples.length > 0))
      out.push(
        `valid-key errors, protection ${r.protection}, ${r.flood}: ${r.validDuringFlood.errorSamples.join(' | ')}`,
      );
  }

  const syncer = report.syncer;
  if (syncer) {
    out.push(
      '',
      `syncer: a Service created inside a tenant cluster (a real kube-apiserver) to its host Service, ${syncer.plan.waves} waves of ${syncer.plan.perWave} per row`,
    );
    out.push(
      formatTable(
        ['watched tenants', 'services', 'p50 ms', 'p99 ms', 'max ms', 'syncer RSS MiB'],
        syncer.rows.map((r) => [r.watchedTenants, r.count, r.p50Ms, r.p99Ms, r.maxMs, r.syncerRssMiB]),
      ),
    );
    out.push(
      `syncer memory per watched tenant: ${syncer.rssPerWatchedTenantKiB} KiB (RSS difference between the last two rows / tenants added)`,
    );
  }

  const profile = report.claimApiProfile;
  if (profile) {
    out.push(
      '',
      `claim API CPU profile, measured claim rounds only (${profile.totalMs} ms of samples, wall time: includes waiting for a CPU)`,
    );
    out.push(
      formatTable(
        ['package', 'self ms', '%'],
        profile.packages.map((p) => [p.name, p.selfMs, p.percent]),
      ),
    );
    out.push(
      '',
      formatTable(
        ['function (self time)', 'self ms', '%'],
        profile.frames.map((p) => [p.name, p.selfMs, p.percent]),
      ),
    );
  }
  if (report.poolFill.ms > 0)
    out.push(
      '',
      `pool fill: ${report.poolFill.tenants} tenants ready after ${(report.poolFill.ms / 1000).toFixed(1)} s`,
    );
  return `${out.join('\n')}\n`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
