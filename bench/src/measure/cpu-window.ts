// Wraps a measured round with CPU accounting: per process of the bench's tree and for the whole machine, so a
// report can show who burned the CPU and how much other load the machine carried at the time.
import {
  cpuBetween,
  machineCoresBetween,
  sampleMachineCpu,
  sampleProcessCpu,
  type CpuShare,
} from '../platform/process-cpu';

export interface CpuWindow {
  cpu: CpuShare[];
  /** Cores the whole machine used (ours and everything else). */
  machineCores: number;
  /** Cores used by processes outside the bench's tree (other work on the machine). */
  otherCores: number;
}

export async function withCpu<T>(run: () => Promise<T>): Promise<{ result: T; wallMs: number } & CpuWindow> {
  const processes = sampleProcessCpu();
  const machine = sampleMachineCpu();
  const t0 = process.hrtime.bigint();
  const result = await run();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = cpuBetween(processes, sampleProcessCpu(), wallMs);
  const machineCores = machineCoresBetween(machine, sampleMachineCpu(), wallMs);
  const ours = cpu.reduce((sum, c) => sum + c.cores, 0);
  return { result, wallMs, cpu, machineCores, otherCores: Math.max(0, Math.round((machineCores - ours) * 100) / 100) };
}

/** CPU of the tree at rest over `ms` (the platform's steady background with its pools full). */
export async function measureBaseline(ms: number): Promise<CpuWindow> {
  const { cpu, machineCores, otherCores } = await withCpu(() => new Promise((resolve) => setTimeout(resolve, ms)));
  return { cpu, machineCores, otherCores };
}

/** CPU milliseconds per operation a process spent above its resting baseline during a round. Pure. */
export function cpuPerOperation(
  round: CpuShare[],
  baseline: CpuShare[],
  wallMs: number,
  operations: number,
): { process: string; msPerOp: number }[] {
  return round.map((c) => {
    const rest = baseline.find((b) => b.process === c.process)?.cores ?? 0;
    const above = Math.max(0, c.cpuMs - rest * wallMs);
    return { process: c.process, msPerOp: operations > 0 ? Math.round((above / operations) * 100) / 100 : 0 };
  });
}
