// Reads a V8 .cpuprofile (node --cpu-prof) and ranks where the time went: by function (self time) and by package
// (node_modules/<name>, node: internals, the project's own code). Pure apart from reading the file.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameShare {
  name: string;
  selfMs: number;
  percent: number;
}

export function packageOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node: internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  const own = /\/dist\/((?:libs|services|simulator|bench)\/[^/]+)/.exec(url);
  return own ? own[1]! : url;
}

/**
 * `windows` keeps only samples taken inside them, in microseconds of the monotonic clock V8 and
 * process.hrtime share on Linux (so a run's start-up does not drown the measured rounds).
 */
export function rankProfile(
  profile: CpuProfile,
  { top = 12, windows }: { top?: number; windows?: readonly (readonly [number, number])[] } = {},
): { frames: FrameShare[]; packages: FrameShare[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (windows && !windows.some(([from, to]) => at >= from && at <= to)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/');
    const name = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    frames.set(name, (frames.get(name) ?? 0) + us);
    packages.set(packageOf(frame.url), (packages.get(packageOf(frame.url)) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): FrameShare[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        percent: Math.round((us / Math.max(1, totalUs)) * 1000) / 10,
      }));
  return { frames: rank(frames), packages: rank(packages), totalMs: Math.round(totalUs / 1000) };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
