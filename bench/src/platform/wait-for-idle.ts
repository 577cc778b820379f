// Waits until the processes this bench started (lanes, services: every descendant of this process) and this
// process itself (the in-process simulator) are quiet, so that one round's after-effects (events, reconciles) do not
// land in the next round's figures. Linux /proc only; elsewhere it reports "unknown" and does not wait.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100;

export interface IdleResult {
  /** CPU in cores used by the watched processes over the last window; NaN when /proc is not available. */
  lastCores: number;
  idle: boolean;
  waitedMs: number;
}

function readStat(pid: string): { ppid: number; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // the process ended between listing and reading
  }
}

/** CPU ticks used so far by this process and all its descendants. */
export function descendantTicks(root = process.pid): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export async function waitForIdle({ maxCores = 0.25, windowMs = 500, timeoutMs = 60_000 }: { maxCores?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<IdleResult> {
  if (!existsSync('/proc/self/stat')) return { lastCores: Number.NaN, idle: false, waitedMs: 0 };
  const started = Date.now();
  let lastCores = Number.NaN;
  while (Date.now() - started < timeoutMs) {
    const before = descendantTicks();
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    lastCores = (descendantTicks() - before) / ticksPerSecond / ((Date.now() - t0) / 1000);
    if (lastCores <= maxCores) return { lastCores, idle: true, waitedMs: Date.now() - started };
  }
  return { lastCores, idle: false, waitedMs: Date.now() - started };
}
