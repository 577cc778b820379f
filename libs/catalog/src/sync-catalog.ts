// Makes the labs collection match the catalog files: plan purely (insert, update, leave, remove), then write only
// what differs, so running it twice changes nothing the second time and stored timestamps stay meaningful.
import type { Model } from 'mongoose';
import {
  DomainError,
  hasQuotaOverrides,
  labExposureOf,
  labQuotaOf,
  type Lab,
  type PoolSettings,
} from '@kubelabs/domain';
import {
  labFromDocument as labFromStored,
  labToDocumentFields,
  type LabDocument,
  type Persistence,
} from '@kubelabs/persistence';

export interface CatalogSyncPlan {
  inserts: Lab[];
  updates: Lab[];
  unchanged: string[];
  /** Stored lab ids no longer in the files; filled only when pruning. */
  removals: string[];
}

export function planCatalogSync(
  desired: readonly Lab[],
  stored: readonly Lab[],
  { prune }: { prune: boolean },
): CatalogSyncPlan {
  const storedById = new Map(stored.map((lab) => [lab.id, lab]));
  const desiredIds = new Set(desired.map((lab) => lab.id));
  const plan: CatalogSyncPlan = { inserts: [], updates: [], unchanged: [], removals: [] };
  for (const lab of desired) {
    const current = storedById.get(lab.id);
    if (!current) plan.inserts.push(lab);
    else if (canonicalJson(normalizeLab(current)) !== canonicalJson(normalizeLab(lab))) plan.updates.push(lab);
    else plan.unchanged.push(lab.id);
  }
  if (prune)
    plan.removals = stored
      .map((lab) => lab.id)
      .filter((id) => !desiredIds.has(id))
      .toSorted();
  return plan;
}

/** Replace-or-insert by id, whatever is stored. Keeps `createdAt`; unknown stored fields are overwritten only if known. */
export async function upsertLabs(
  labsModel: Pick<Model<LabDocument>, 'bulkWrite'>,
  labs: readonly Lab[],
): Promise<void> {
  if (labs.length === 0) return;
  await labsModel.bulkWrite(
    labs.map((lab) => ({
      updateOne: {
        filter: { _id: lab.id },
        // Whole top-level fields are set, so a nested field dropped from the file (a perVersion entry, a setup
        // script) disappears from the stored document too.
        update: { $set: labToDocumentFields(lab) },
        upsert: true,
      },
    })),
    // Ordered: a lab that cannot be cast fails the call before anything is written (unordered, mongoose would skip
    // it silently).
    { ordered: true },
  );
}

export interface CatalogSyncResult {
  inserted: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

export async function syncCatalog(
  persistence: Pick<Persistence, 'labs'>,
  labs: readonly Lab[],
  { prune = false }: { prune?: boolean } = {},
): Promise<CatalogSyncResult> {
  if (prune && labs.length === 0) {
    throw new DomainError('lab.invalid', 'refusing to prune with an empty catalog: it would remove every lab');
  }
  const stored = (await persistence.labs.find({}).lean<LabDocument[]>().exec()).map(labFromDocument);
  const plan = planCatalogSync(labs, stored, { prune });
  await upsertLabs(persistence.labs, [...plan.inserts, ...plan.updates]);
  if (plan.removals.length > 0) await persistence.labs.deleteMany({ _id: { $in: plan.removals } }).exec();
  return {
    inserted: plan.inserts.map((lab) => lab.id),
    updated: plan.updates.map((lab) => lab.id),
    unchanged: plan.unchanged,
    removed: plan.removals,
  };
}

/** A stored document back as a Lab (timestamps and storage details dropped). */
export function labFromDocument(doc: LabDocument): Lab {
  return normalizeLab(labFromStored(doc));
}

/** Only the Lab's own fields, with absent and empty optional parts removed, so equal labs compare equal. */
function normalizeLab(lab: Lab): Lab {
  const perVersion: Record<string, PoolSettings> | undefined = lab.pool?.perVersion;
  const setup = lab.setup ?? {};
  return {
    id: lab.id,
    title: lab.title,
    description: lab.description,
    level: lab.level,
    hints: lab.hints ?? [],
    tags: lab.tags ?? [],
    kubernetesVersions: lab.kubernetesVersions,
    topology: {
      controlPlane: { cpu: lab.topology?.controlPlane?.cpu, memoryMiB: lab.topology?.controlPlane?.memoryMiB },
      workers: {
        count: lab.topology?.workers?.count,
        cpu: lab.topology?.workers?.cpu,
        memoryMiB: lab.topology?.workers?.memoryMiB,
      },
    },
    ...(lab.image == null ? {} : { image: lab.image }),
    setup: {
      ...(setup.controlPlane == null ? {} : { controlPlane: setup.controlPlane }),
      ...(setup.workers == null ? {} : { workers: setup.workers }),
    },
    session: {
      durationMinutes: lab.session?.durationMinutes,
      maxExtensionMinutes: lab.session?.maxExtensionMinutes,
      // Absent on labs stored before the field existed: readers take defaultExtensionStepMinutes.
      ...(lab.session?.extensionStepMinutes == null ? {} : { extensionStepMinutes: lab.session.extensionStepMinutes }),
    },
    pool: {
      minReady: lab.pool?.minReady,
      maxTotal: lab.pool?.maxTotal,
      ...(perVersion && Object.keys(perVersion).length > 0
        ? {
            perVersion: Object.fromEntries(
              Object.entries(perVersion).map(([version, s]) => [
                version,
                { minReady: s.minReady, maxTotal: s.maxTotal },
              ]),
            ),
          }
        : {}),
    },
    ...(lab.network?.ingressBandwidth || lab.network?.egressBandwidth
      ? {
          network: {
            ...(lab.network.ingressBandwidth ? { ingressBandwidth: lab.network.ingressBandwidth } : {}),
            ...(lab.network.egressBandwidth ? { egressBandwidth: lab.network.egressBandwidth } : {}),
          },
        }
      : {}),
    ...(hasQuotaOverrides(labQuotaOf(lab.quota)) ? { quota: labQuotaOf(lab.quota) } : {}),
    // Checks compare as the stored lab reads them back: empty lists are no checks.
    ...(lab.checks?.readiness?.length || lab.checks?.solution?.length
      ? {
          checks: {
            ...(lab.checks.readiness?.length ? { readiness: lab.checks.readiness } : {}),
            ...(lab.checks.solution?.length ? { solution: lab.checks.solution } : {}),
          },
        }
      : {}),
    ...(Object.keys(labExposureOf(lab.exposure)).length > 0 ? { exposure: labExposureOf(lab.exposure) } : {}),
  } as Lab;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).toSorted(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
