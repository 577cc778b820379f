// The catalog's vocabulary: a lab is a template that tenants are built from.
import type { LabChecks } from './lab-check';

export type LabLevel = 'beginner' | 'intermediate' | 'advanced';

export interface NodeSize {
  cpu: number;
  memoryMiB: number;
}

export interface LabTopology {
  controlPlane: NodeSize;
  workers: { count: number } & NodeSize;
}

/**
 * Fair share of the network for every VM of a tenant, as Kubernetes quantities in bits per second (`100M` is
 * 100 Mbit/s). Absent directions take the provisioner's defaults. The provisioner writes them as the
 * `kubernetes.io/ingress-bandwidth` / `kubernetes.io/egress-bandwidth` annotations on each VM template.
 */
export interface LabNetwork {
  ingressBandwidth?: string;
  egressBandwidth?: string;
}

/**
 * Per-lab overrides of the network-policy enforcer's quota settings (QUOTA_HEADROOM_PERCENT, QUOTA_EXTRA_PODS,
 * QUOTA_DEFAULT_CONTAINER_CPU_MILLIS, QUOTA_DEFAULT_CONTAINER_MEMORY_MIB). The quota itself is always computed from the
 * lab's topology plus KubeVirt's per-VM overhead; these only change the margins around it.
 */
export interface LabQuota {
  headroomPercent?: number;
  extraPods?: number;
  defaultContainerRequest?: { cpuMillis?: number; memoryMiB?: number };
}

/**
 * What a tenant of this lab may expose from inside its cluster through the syncer: how many NodePort/LoadBalancer
 * Services and Ingresses, and which Service ports (`80,443,8000-8999`, `1-65535` for all, `none`). Absent fields take
 * the syncer's defaults (SYNC_MAX_SERVICES, SYNC_MAX_INGRESSES, SYNC_ALLOWED_PORTS).
 */
export interface LabExposure {
  services?: number;
  ingresses?: number;
  ports?: string;
}

/** Port ranges such as `80,443,8000-8999`; `none` is the empty list; undefined when the text is not one. */
export function parsePortRanges(text: string): { from: number; to: number }[] | undefined {
  const trimmed = text.trim();
  if (trimmed === 'none') return [];
  const ranges: { from: number; to: number }[] = [];
  for (const item of trimmed.split(',')) {
    const match = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(item);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = Number(match[2] ?? match[1]);
    if (from < 1 || to > 65535 || from > to) return undefined;
    ranges.push({ from, to });
  }
  return ranges;
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
  /**
   * The lab's own node image (a containerDisk; `{version}` becomes the Kubernetes minor), overriding the platform's
   * (the provisioner's `NODE_IMAGE`). Absent: the platform's image, which `deploy/images/` builds.
   */
  image?: string;
  /** Cloud-init additions that break or prepare something for the scenario. */
  setup: { controlPlane?: string; workers?: string };
  /** `extensionStepMinutes`: what one extension without a number adds (absent: `defaultExtensionStepMinutes`). */
  session: { durationMinutes: number; maxExtensionMinutes: number; extensionStepMinutes?: number };
  pool: PoolSettings & { perVersion?: Record<string, PoolSettings> };
  /** Per-lab overrides of the platform's bandwidth defaults. */
  network?: LabNetwork;
  /** Per-lab overrides of the enforcer's quota margins. */
  quota?: LabQuota;
  /** What must hold before a tenant joins the pool, and what says the lab is solved (lab-check.ts). */
  checks?: LabChecks;
  /** Per-lab limits on what the syncer exposes (overrides of its defaults). */
  exposure?: LabExposure;
}

export function poolKey(labId: string, kubernetesVersion: string): string {
  return `${labId}@${kubernetesVersion}`;
}

export function poolSettingsFor(lab: Lab, kubernetesVersion: string): PoolSettings {
  return lab.pool.perVersion?.[kubernetesVersion] ?? { minReady: lab.pool.minReady, maxTotal: lab.pool.maxTotal };
}

/**
 * The bandwidth quantities the platform writes: a decimal number with an optional SI (`k`, `M`, `G`, `T`, `P`) or
 * binary (`Ki` ... `Pi`) suffix, the subset of Kubernetes quantities that makes sense for a rate (no milli, no
 * exponent). The same pattern is in contracts/lab.schema.json (`$defs/bandwidth`).
 */
export const bandwidthPattern = /^([0-9]+)(?:\.([0-9]+))?([kMGTP]|[KMGTP]i)?$/;

/**
 * The range the container runtime accepts: below 1k or above 1P bits per second it refuses the annotation and the
 * VM's launcher pod never starts (kubelet's and containerd's `validateBandwidthIsReasonable`).
 */
export const bandwidthLimits = { minBitsPerSecond: 1_000n, maxBitsPerSecond: 1_000_000_000_000_000n } as const;

const bandwidthMultipliers: Record<string, bigint> = {
  '': 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
};

/** Bits per second a bandwidth quantity stands for, rounded up as Kubernetes does; undefined if it is not one. */
export function bandwidthBitsPerSecond(quantity: string): bigint | undefined {
  const match = quantity.length <= 32 ? bandwidthPattern.exec(quantity) : null;
  if (!match) return undefined;
  const [, whole = '', fraction = '', suffix = ''] = match;
  const scaled = BigInt(`${whole}${fraction}`) * bandwidthMultipliers[suffix]!;
  const divisor = 10n ** BigInt(fraction.length);
  return (scaled + divisor - 1n) / divisor;
}

/** What is wrong with a bandwidth quantity (a phrase to follow its name), or undefined when it is usable. */
export function checkBandwidth(quantity: string): string | undefined {
  const bits = bandwidthBitsPerSecond(quantity);
  if (bits === undefined)
    return 'must be a quantity in bits per second such as 100M (a number with k, M, G, T, P or Ki ... Pi)';
  if (bits < bandwidthLimits.minBitsPerSecond) return 'must be at least 1k (1 kbit/s)';
  if (bits > bandwidthLimits.maxBitsPerSecond) return 'must be at most 1P (1 Pbit/s)';
  return undefined;
}

/** Only the quota overrides that are set, in one canonical order (a stored document may hold nulls or nothing). */
export function labQuotaOf(quota: LabQuota | null | undefined): LabQuota {
  const request = quota?.defaultContainerRequest;
  const defaultContainerRequest = {
    ...(request?.cpuMillis == null ? {} : { cpuMillis: request.cpuMillis }),
    ...(request?.memoryMiB == null ? {} : { memoryMiB: request.memoryMiB }),
  };
  return {
    ...(quota?.headroomPercent == null ? {} : { headroomPercent: quota.headroomPercent }),
    ...(quota?.extraPods == null ? {} : { extraPods: quota.extraPods }),
    ...(Object.keys(defaultContainerRequest).length > 0 ? { defaultContainerRequest } : {}),
  };
}

/** Whether a (canonical) quota block overrides anything: an empty block is the same lab as none. */
export function hasQuotaOverrides(quota: LabQuota): boolean {
  return Object.keys(quota).length > 0;
}

/** What one extension without a number adds when the lab does not say (contracts/lab.schema.json's default). */
export const defaultExtensionStepMinutes = 15;

/**
 * How many minutes an extension adds: the asked number, or without one the lab's step, cut to what is left of the
 * lab's maximum. `exceeded` when nothing is left (or the asked number would pass the maximum).
 */
export function planExtension(
  session: Lab['session'],
  usedMinutes: number,
  requestedMinutes?: number,
): { minutes: number } | { exceeded: true; usedMinutes: number; maxExtensionMinutes: number } {
  const left = session.maxExtensionMinutes - usedMinutes;
  const step = session.extensionStepMinutes ?? defaultExtensionStepMinutes;
  const minutes = requestedMinutes ?? Math.min(step, left);
  if (minutes < 1 || minutes > left)
    return { exceeded: true, usedMinutes, maxExtensionMinutes: session.maxExtensionMinutes };
  return { minutes };
}

/** Only the exposure limits that are set, in one canonical order (a stored document may hold nulls or nothing). */
export function labExposureOf(exposure: LabExposure | null | undefined): LabExposure {
  return {
    ...(exposure?.services == null ? {} : { services: exposure.services }),
    ...(exposure?.ingresses == null ? {} : { ingresses: exposure.ingresses }),
    ...(exposure?.ports == null ? {} : { ports: exposure.ports }),
  };
}
