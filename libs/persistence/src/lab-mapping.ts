// Converts labs between the domain shape and the stored document shape (per-version overrides as an array, bandwidth
// and quota overrides as always-present objects).
import { hasQuotaOverrides, labQuotaOf, type Lab, type LabNetwork } from '@kubelabs/domain';
import type { LabDocument } from './schemas';

export function labToDocumentFields(lab: Lab): Omit<LabDocument, '_id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, pool, network, quota, ...fields } = lab;
  const perVersion = pool.perVersion
    ? Object.entries(pool.perVersion)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kubernetesVersion, s]) => ({ kubernetesVersion, minReady: s.minReady, maxTotal: s.maxTotal }))
    : undefined;
  return {
    ...fields,
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion?.length ? { perVersion } : {}) },
    // Always a whole field, {} for none: upserts `$set` top-level fields, so an override dropped from the catalog is
    // dropped from the stored lab too.
    network: networkOf(network),
    quota: labQuotaOf(quota),
  };
}

export function labFromDocument(doc: LabDocument): Lab {
  const { _id, createdAt: _c, updatedAt: _u, pool, network, quota: storedQuota, ...fields } = doc;
  const perVersion = pool.perVersion?.length
    ? Object.fromEntries(
        pool.perVersion.map((p) => [p.kubernetesVersion, { minReady: p.minReady, maxTotal: p.maxTotal }]),
      )
    : undefined;
  const overrides = networkOf(network);
  const quota = labQuotaOf(storedQuota);
  return {
    id: _id,
    ...fields,
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion ? { perVersion } : {}) },
    ...(Object.keys(overrides).length > 0 ? { network: overrides } : {}),
    ...(hasQuotaOverrides(quota) ? { quota } : {}),
  } as Lab;
}

/** Only the overrides that are set (a stored document may hold nulls or nothing). */
function networkOf(network: LabNetwork | null | undefined): LabNetwork {
  return {
    ...(network?.ingressBandwidth ? { ingressBandwidth: network.ingressBandwidth } : {}),
    ...(network?.egressBandwidth ? { egressBandwidth: network.egressBandwidth } : {}),
  };
}
