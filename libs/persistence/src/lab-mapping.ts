// Converts labs between the domain shape and the stored document shape (per-version overrides as an array).
import type { Lab } from '@kubelabs/domain';
import type { LabDocument } from './schemas';

export function labToDocumentFields(lab: Lab): Omit<LabDocument, '_id' | 'createdAt' | 'updatedAt'> {
  const { id: _id, pool, ...fields } = lab;
  const perVersion = pool.perVersion
    ? Object.entries(pool.perVersion)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kubernetesVersion, s]) => ({ kubernetesVersion, minReady: s.minReady, maxTotal: s.maxTotal }))
    : undefined;
  return {
    ...fields,
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion?.length ? { perVersion } : {}) },
  };
}

export function labFromDocument(doc: LabDocument): Lab {
  const { _id, createdAt: _c, updatedAt: _u, pool, ...fields } = doc;
  const perVersion = pool.perVersion?.length
    ? Object.fromEntries(
        pool.perVersion.map((p) => [p.kubernetesVersion, { minReady: p.minReady, maxTotal: p.maxTotal }]),
      )
    : undefined;
  return {
    id: _id,
    ...fields,
    pool: { minReady: pool.minReady, maxTotal: pool.maxTotal, ...(perVersion ? { perVersion } : {}) },
  } as Lab;
}
