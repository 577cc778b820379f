// Converts labs between the domain shape and the stored document shape (per-version overrides as an array, bandwidth
// quota overrides, exposure limits and checks as always-present objects).
import {
  hasQuotaOverrides,
  labExposureOf,
  labQuotaOf,
  type Lab,
  type LabChecks,
  type LabNetwork,
} from '@kubelabs/domain';
import type { LabDocument } from './schemas';

export function labToDocumentFields(lab: Lab): Omit<LabDocument, '_id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, pool, network, quota, exposure, checks, image, ...fields } = lab;
  const perVersion = pool.perVersion
    ? Object.entries(pool.perVersion)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kubernetesVersion, s]) => ({ kubernetesVersion, minReady: s.minReady, maxTotal: s.maxTotal }))
    : undefined;
  return {
    ...fields,
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion?.length ? { perVersion } : {}) },
    // null, not absent, for the same reason as below: a lab's own image dropped from the file must be dropped here.
    image: image ?? null,
    // Always a whole field, {} for none: upserts `$set` top-level fields, so an override dropped from the catalog is
    // dropped from the stored lab too.
    network: networkOf(network),
    quota: labQuotaOf(quota),
    // Whole lists for the same reason.
    checks: { readiness: checks?.readiness ?? [], solution: checks?.solution ?? [] },
    exposure: labExposureOf(exposure),
  };
}

export function labFromDocument(doc: LabDocument): Lab {
  const {
    _id,
    createdAt: _c,
    updatedAt: _u,
    pool,
    network,
    quota: storedQuota,
    exposure,
    checks,
    image,
    ...fields
  } = doc;
  const perVersion = pool.perVersion?.length
    ? Object.fromEntries(
        pool.perVersion.map((p) => [p.kubernetesVersion, { minReady: p.minReady, maxTotal: p.maxTotal }]),
      )
    : undefined;
  const overrides = networkOf(network);
  const quota = labQuotaOf(storedQuota);
  const limits = labExposureOf(exposure);
  return {
    id: _id,
    ...fields,
    ...(image ? { image } : {}),
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion ? { perVersion } : {}) },
    ...(Object.keys(overrides).length > 0 ? { network: overrides } : {}),
    ...(hasQuotaOverrides(quota) ? { quota } : {}),
    ...checksOf(checks),
    ...(Object.keys(limits).length > 0 ? { exposure: limits } : {}),
  } as Lab;
}

/** The checks a stored lab declares; none when both lists are empty (the same lab as one without the field). */
function checksOf(checks: LabChecks | null | undefined): { checks?: LabChecks } {
  const readiness = checks?.readiness ?? [];
  const solution = checks?.solution ?? [];
  if (readiness.length === 0 && solution.length === 0) return {};
  return {
    checks: { ...(readiness.length > 0 ? { readiness } : {}), ...(solution.length > 0 ? { solution } : {}) },
  };
}

/** Only the overrides that are set (a stored document may hold nulls or nothing). */
function networkOf(network: LabNetwork | null | undefined): LabNetwork {
  return {
    ...(network?.ingressBandwidth ? { ingressBandwidth: network.ingressBandwidth } : {}),
    ...(network?.egressBandwidth ? { egressBandwidth: network.egressBandwidth } : {}),
  };
}

/** Only the limits that are set (a stored document may hold nulls or nothing). */
