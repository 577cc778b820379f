// CPU used by this bench's process tree (itself with the in-process simulator, the lanes, the services, the floor
// servers), read from Linux /proc: per process for "who burned the CPU during a round", and in total to wait until
// one round's after-effects (events, reconciles) are over before the next starts. Elsewhere it reports nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const ticksPerSecond = 100;

export interface CpuShare {
  process: string;
  cpuMs: number;
  /** Average cores used over the round. */
  cores: number;
}

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // the process ended between listing and reading
  }
}

export function labelProcess(argv: readonly string[], isRoot: boolean): string {
  if (isRoot) return 'bench (clients + simulator)';
  const joined = argv.join(' ');
  const service = /dist\/services\/([^/]+)\//.exec(joined);
  if (service) return service[1]!;
  const floor = /(empty-fastify|empty-nest)-main/.exec(joined);
  if (floor) return `floor ${floor[1]}`;
  const exe = basename(argv[0] ?? '?');
  if (exe === 'java') return 'mongo (java)';
  return exe.replace(/-v?\d+(\.\d+)*$/, '');
}

/** CPU ticks so far of this process and each descendant, by label (processes with the same label are summed). */
export function sampleProcessCpu(root = process.pid): Map<string, number> {
  const stats = new Map<number, ProcStat>();
  if (!existsSync('/proc/self/stat')) return new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const byLabel = new Map<string, number>();
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = stats.get(pid);
    if (stat) {
      let argv: string[] = [];
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      } catch {
        // gone: counted under its name as '?'
      }
      const label = labelProcess(argv, pid === root);
      byLabel.set(label, (byLabel.get(label) ?? 0) + stat.ticks);
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return byLabel;
}

/** Busy CPU ticks of the whole machine so far (every process, ours or not), from /proc/stat; 0 without /proc. */
export function sampleMachineCpu(): number {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
    return user + nice + system + irq + softirq + steal;
  } catch {
    return 0;
  }
}

/** Cores the machine used between two sampleMachineCpu() readings. */
export function machineCoresBetween(before: number, after: number, wallMs: number): number {
  return wallMs > 0 ? Math.round(((((after - before) / ticksPerSecond) * 1000) / wallMs) * 100) / 100 : 0;
}

/** Per-process CPU between two samples, busiest first. Pure. */
export function cpuBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  wallMs: number,
): CpuShare[] {
  return [...after]
    .map(([label, ticks]) => {
      const cpuMs = ((ticks - (before.get(label) ?? 0)) / ticksPerSecond) * 1000;
      return {
        process: label,
        cpuMs: Math.round(cpuMs),
        cores: wallMs > 0 ? Math.round((cpuMs / wallMs) * 100) / 100 : 0,
      };
    })
    .filter((s) => s.cpuMs > 0)
    .sort((a, b) => b.cpuMs - a.cpuMs);
}

export interface IdleResult {
  /** Cores used by the process tree over the last window; NaN without /proc. */
  lastCores: number;
  idle: boolean;
  waitedMs: number;
}

const total = (sample: ReadonlyMap<string, number>): number => [...sample.values()].reduce((a, b) => a + b, 0);

/** Waits (bounded) until the whole process tree uses at most `maxCores` over a `windowMs` window. */
export async function waitForIdle({
  maxCores = 0.25,
  windowMs = 500,
  timeoutMs = 60_000,
}: { maxCores?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<IdleResult> {
  if (!existsSync('/proc/self/stat')) return { lastCores: Number.NaN, idle: false, waitedMs: 0 };
  const started = Date.now();
  let lastCores = Number.NaN;
  while (Date.now() - started < timeoutMs) {
    const before = total(sampleProcessCpu());
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    lastCores = (total(sampleProcessCpu()) - before) / ticksPerSecond / ((Date.now() - t0) / 1000);
    if (lastCores <= maxCores) return { lastCores, idle: true, waitedMs: Date.now() - started };
  }
  return { lastCores, idle: false, waitedMs: Date.now() - started };
}
