// I/O only: reads what the pool manager plans from — the catalog, every live tenant and claim, and the host
// cluster's allocatable capacity — into plain data for the pure planners.
import type { KubernetesObject } from '@kubernetes/client-node';
import { poolKey, poolSettingsFor, type Lab } from '@kubelabs/domain';
import type { KubeClient } from '@kubelabs/kube';
import { labFromDocument, type ClaimDocument, type Persistence, type TenantDocument } from '@kubelabs/persistence';
import type { ResourceAmount } from './plan';

export interface ObservedPoolState {
  key: string;
  labId: string;
  kubernetesVersion: string;
  lab?: Lab;
  minReady: number;
  maxTotal: number;
  offered: boolean;
  tenants: TenantDocument[];
  pendingClaims: ClaimDocument[];
  activeClaims: ClaimDocument[];
  /** Tenants of this pool that failed within the failure window (deleted ones included). */
  recentFailures: number;
}

export interface ObservedPlatform {
  pools: ObservedPoolState[];
  allocatable: ResourceAmount | null;
}

/** Failures older than this no longer throttle a pool. */
export const failureWindowMs = 10 * 60_000;

type NodeObject = KubernetesObject & { status?: { allocatable?: Record<string, string> } };

export async function observePools(
  db: Persistence,
  kube: KubeClient | null,
  hostNodeSelector = '',
  now = new Date(),
): Promise<ObservedPlatform> {
  const [labDocs, tenants, claims, allocatable, failures] = await Promise.all([
    db.labs.find().lean().exec(),
    db.tenants
      .find({ state: { $ne: 'deleted' } })
      .lean()
      .exec() as Promise<TenantDocument[]>,
    db.claims
      .find({ state: { $in: ['pending', 'active'] } })
      .lean()
      .exec() as Promise<ClaimDocument[]>,
    kube ? observeAllocatable(kube, hostNodeSelector) : Promise.resolve(null),
    db.tenants
      .aggregate<{ _id: string; n: number }>([
        {
          $match: { failureReason: { $exists: true }, createdAt: { $gte: new Date(now.getTime() - failureWindowMs) } },
        },
        { $group: { _id: '$poolKey', n: { $sum: 1 } } },
      ])
      .exec(),
  ]);
  const pools = new Map<string, ObservedPoolState>();
  const poolOf = (labId: string, kubernetesVersion: string, lab?: Lab): ObservedPoolState => {
    const key = poolKey(labId, kubernetesVersion);
    let pool = pools.get(key);
    if (!pool) {
      const offered = !!lab && lab.kubernetesVersions.includes(kubernetesVersion);
      const settings = lab ? poolSettingsFor(lab, kubernetesVersion) : { minReady: 0, maxTotal: 0 };
      pool = {
        key,
        labId,
        kubernetesVersion,
        ...(lab ? { lab } : {}),
        ...settings,
        offered,
        tenants: [],
        pendingClaims: [],
        activeClaims: [],
        recentFailures: 0,
      };
      pools.set(key, pool);
    }
    return pool;
  };
  const labs = new Map(labDocs.map((doc) => [doc._id, labFromDocument(doc)]));
  for (const lab of labs.values()) for (const version of lab.kubernetesVersions) poolOf(lab.id, version, lab);
  for (const tenant of tenants)
    poolOf(tenant.labId, tenant.kubernetesVersion, labs.get(tenant.labId)).tenants.push(tenant);
  for (const row of failures) {
    const pool = pools.get(row._id);
    if (pool) pool.recentFailures = row.n;
  }
  const claimIds = new Set<string>();
  for (const claim of claims) {
    claimIds.add(claim._id);
    const pool = poolOf(claim.labId, claim.kubernetesVersion, labs.get(claim.labId));
    (claim.state === 'pending' ? pool.pendingClaims : pool.activeClaims).push(claim);
  }
  return { pools: [...pools.values()].sort((a, b) => a.key.localeCompare(b.key)), allocatable };
}

/** Sum of the host nodes' allocatable memory and CPU (schedulable nodes only). */
async function observeAllocatable(kube: KubeClient, labelSelector: string): Promise<ResourceAmount> {
  const nodes = await kube.list<NodeObject & { spec?: { unschedulable?: boolean } }>(
    'v1',
    'Node',
    labelSelector ? { labelSelector } : {},
  );
  let memoryMiB = 0;
  let cpuMillis = 0;
  for (const node of nodes) {
    if (node.spec?.unschedulable) continue;
    memoryMiB += parseMemoryMiB(node.status?.allocatable?.memory ?? '0');
    cpuMillis += parseCpuMillis(node.status?.allocatable?.cpu ?? '0');
  }
  return { memoryMiB, cpuMillis };
}

const memoryUnits: Record<string, number> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  k: 1000 / 1048576,
  M: 1e6 / 1048576,
  G: 1e9 / 1048576,
  '': 1 / 1048576,
};

export function parseMemoryMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(quantity.trim());
  if (!match) return 0;
  return Math.floor(Number(match[1]) * (memoryUnits[match[2] ?? ''] ?? 0));
}

export function parseCpuMillis(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity.trim());
  if (!match) return 0;
  return Math.floor(match[2] ? Number(match[1]) : Number(match[1]) * 1000);
}
