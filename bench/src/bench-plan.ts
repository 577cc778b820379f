// What one bench run measures and with which sizes. Pure: the same plan every run (`quick` shrinks the counts).
export const concurrencies = [1, 16, 64] as const;

export interface WarmRound {
  name: string;
  labId: string;
  concurrency: number;
  claims: number;
  /** false: the body has no sshPublicKey, so the claim API generates a key pair on the request path. */
  sshKey: boolean;
  /** Warm-up rounds prime connections and the JIT; their figures are not reported. */
  warmup?: boolean;
  /** Each claim waits until the platform is back at rest: the claim path alone, without the previous claims' after-effects. */
  isolated?: boolean;
}

export interface BenchPlan {
  /** Warm claim rounds, in order; each has its own pool of exactly `claims` ready tenants. */
  rounds: WarmRound[];
  emptyHttpRequests: Record<number, number>;
  coldLabId: string;
  coldRepeats: number;
  /** The simulator's VM boot time: small, so the platform's own overhead shows. */
  bootMs: number;
}

export function planBench({ quick }: { quick: boolean }): BenchPlan {
  const scale = quick ? 0.25 : 1;
  const n = (count: number): number => Math.max(8, Math.round(count * scale));
  return {
    rounds: [
      { name: 'warm-up', labId: 'bench-warmup', concurrency: 8, claims: n(32), sshKey: true, warmup: true },
      {
        name: 'claim, key given, at rest',
        labId: 'bench-rest',
        concurrency: 1,
        claims: n(16),
        sshKey: true,
        isolated: true,
      },
      { name: 'claim, key given', labId: 'bench-c1', concurrency: 1, claims: n(80), sshKey: true },
      { name: 'claim, key given', labId: 'bench-c16', concurrency: 16, claims: n(192), sshKey: true },
      { name: 'claim, key given', labId: 'bench-c64', concurrency: 64, claims: n(320), sshKey: true },
      { name: 'claim, key generated', labId: 'bench-keygen', concurrency: 16, claims: n(96), sshKey: false },
    ],
    emptyHttpRequests: { 1: n(2_000), 16: n(6_000), 64: n(10_000) },
    coldLabId: 'bench-cold',
    coldRepeats: 5,
    bootMs: 50,
  };
}
