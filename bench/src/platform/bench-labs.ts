// The labs the bench loads instead of the catalog: one warm pool per measured round (minReady = maxTotal = the
// round's claim count, so no claim waits and nothing is provisioned during the round) and one cold pool. Pure.
import type { Lab } from '@kubelabs/domain';

export const benchKubernetesVersion = '1.36';

export function benchLab(id: string, pool: { minReady: number; maxTotal: number }): Lab {
  return {
    id,
    title: `Bench lab ${id}`,
    description: 'A lab the benchmark claims from; its tenants are played by the simulator.',
    level: 'beginner',
    hints: [],
    tags: ['bench'],
    kubernetesVersions: [benchKubernetesVersion],
    topology: { controlPlane: { cpu: 1, memoryMiB: 1024 }, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
    setup: {},
    session: { durationMinutes: 120, maxExtensionMinutes: 30 },
    pool,
  };
}
