// A terminal's Ctrl-C goes to its whole foreground process group: children in the parent's group die with it at once,
// servers before the services that drain into them, and every dependant then waits out a timeout. A parent that calls
// superviseChildProcesses() starts each lane server and service in its own process group instead, stops them in
// order itself, and can stop or kill them all at once; whatever is still running when it exits is killed then.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

let supervising = false;
/** Supervised children by pid; each leads its own process group (pgid = pid). */
const groups = new Map<number, ChildProcess>();

/** From now on, children start in their own process groups and this process answers for stopping them. */
export function superviseChildProcesses(): void {
  if (supervising) return;
  supervising = true;
  // The last resort when the stop was skipped or cut short (a forced exit, an exception): no group outlives us.
  process.on('exit', () => killChildProcessGroups());
}

/** spawn(), in a process group of its own while this process supervises its children. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: supervising });
  const pid = child.pid;
  if (supervising && pid !== undefined) {
    groups.set(pid, child);
    child.once('exit', () => groups.delete(pid));
  }
  return child;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Sends `signal` to the child's process group when it leads one, else to the child alone. */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!running(child)) return;
  if (child.pid !== undefined && groups.has(child.pid)) {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // The group is already gone; fall through to the child itself.
    }
  }
  child.kill(signal);
}

/** Sends `signal`, waits up to `graceMs` for the child to exit, then SIGKILLs its group. Resolves once it is gone. */
export async function stopChild(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs }: { signal?: NodeJS.Signals; graceMs: number },
): Promise<void> {
  if (!running(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalChild(child, signal);
  const timer = setTimeout(() => signalChild(child, 'SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Stops every supervised process group still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChildProcessGroups(graceMs: number): Promise<void> {
  await Promise.all([...groups.values()].map((child) => stopChild(child, { graceMs })));
}

/** SIGKILLs every supervised process group still running, synchronously; returns how many it signalled. */
export function killChildProcessGroups(): number {
  let killed = 0;
  for (const pid of groups.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  groups.clear();
  return killed;
}
