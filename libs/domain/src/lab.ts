// The catalog's vocabulary: a lab is a template that tenants are built from.
export type LabLevel = 'beginner' | 'intermediate' | 'advanced';

export interface NodeSize {
  cpu: number;
  memoryMiB: number;
}

export interface LabTopology {
  controlPlane: NodeSize;
  workers: { count: number } & NodeSize;
}

export interface PoolSettings {
  minReady: number;
  maxTotal: number;
}

export interface Lab {
  id: string;
  title: string;
  description: string;
  level: LabLevel;
  hints: string[];
  tags: string[];
  kubernetesVersions: string[];
  topology: LabTopology;
  /** containerDisk image; `{version}` is replaced by the Kubernetes version. */
  image: string;
  /** Cloud-init additions that break or prepare something for the scenario. */
  setup: { controlPlane?: string; workers?: string };
  session: { durationMinutes: number; maxExtensionMinutes: number };
  pool: PoolSettings & { perVersion?: Record<string, PoolSettings> };
}

export function poolKey(labId: string, kubernetesVersion: string): string {
  return `${labId}@${kubernetesVersion}`;
}

export function poolSettingsFor(lab: Lab, kubernetesVersion: string): PoolSettings {
  return lab.pool.perVersion?.[kubernetesVersion] ?? { minReady: lab.pool.minReady, maxTotal: lab.pool.maxTotal };
}
