// Turns one lab YAML file into a Lab, or into every error it holds: YAML syntax (with line and column), schema
// violations and cross-field rules, each placed at its line. Pure: the caller reads the file.
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { defaultExtensionStepMinutes, hasQuotaOverrides, labExposureOf, labQuotaOf, type Lab } from '@kubelabs/domain';
import { pointerSegments, sortCatalogErrors, type CatalogError } from './catalog-error';
import { checkLabRules } from './check-lab-rules';
import { validateLabSchema } from './validate-lab-schema';

export type ParseLabResult = { lab: Lab } | { errors: CatalogError[] };

export function parseLabFile(file: string, text: string): ParseLabResult {
  const read = readLabFile(file, text);
  return read.lab ? { lab: read.lab } : { errors: read.errors };
}

/** What the catalog needs from one file: the lab when valid, its id even when not (to find duplicates), the errors. */
export interface LabFileReading {
  file: string;
  id?: string;
  lab?: Lab;
  errors: CatalogError[];
  /** Where a JSON pointer points in this file (the nearest existing ancestor when the field is missing). */
  place(path: string): { line?: number; column?: number };
}

export function readLabFile(file: string, text: string): LabFileReading {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number | undefined) => (offset === undefined ? {} : lineCounter.linePos(offset));
  const place = (path: string) => {
    const { line, col } = position(locate(doc.contents, pointerSegments(path))) as { line?: number; col?: number };
    return line === undefined ? {} : { line, column: col };
  };
  const fail = (errors: CatalogError[]): LabFileReading => ({ file, errors: sortCatalogErrors(errors), place });

  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const message =
          error.code === 'MULTIPLE_DOCS'
            ? 'holds more than one YAML document; a lab file holds one lab'
            : error.message;
        return { file, path: '', message: `YAML: ${message}`, line, column: col };
      }),
    );
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail([{ file, path: '', message: `YAML: ${(error as Error).message}` }]);
  }

  const errors: CatalogError[] = [];
  if (!file.endsWith('.yaml')) errors.push({ file, path: '', message: 'a lab file must be named <id>.yaml' });
  const fieldErrors = [...validateLabSchema(data), ...checkLabRules(data, basename(file, '.yaml'))];
  for (const { path, message } of fieldErrors) errors.push({ file, path, message, ...place(path) });

  const rawId = (data as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' ? rawId : undefined;
  if (errors.length > 0) return { ...fail(errors), ...(id === undefined ? {} : { id }) };
  return { file, id, lab: toLab(data as Lab), errors: [], place };
}

/** Offset of the node (or map key) a pointer designates, falling back to the deepest ancestor that exists. */
function locate(root: unknown, segments: string[]): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** A fresh Lab with its fields in one canonical order (the schema has already ruled out anything else). */
function toLab(data: Lab): Lab {
  const { controlPlane, workers } = data.topology;
  const { perVersion } = data.pool;
  const network = {
    ...(data.network?.ingressBandwidth === undefined ? {} : { ingressBandwidth: data.network.ingressBandwidth }),
    ...(data.network?.egressBandwidth === undefined ? {} : { egressBandwidth: data.network.egressBandwidth }),
  };
  const quota = labQuotaOf(data.quota);
  const exposure = labExposureOf(data.exposure);
  return {
    id: data.id,
    title: data.title,
    description: data.description,
    level: data.level,
    hints: [...data.hints],
    tags: [...data.tags],
    kubernetesVersions: [...data.kubernetesVersions],
    topology: {
      controlPlane: { cpu: controlPlane.cpu, memoryMiB: controlPlane.memoryMiB },
      workers: { count: workers.count, cpu: workers.cpu, memoryMiB: workers.memoryMiB },
    },
    ...(data.image === undefined ? {} : { image: data.image }),
    setup: {
      ...(data.setup.controlPlane === undefined ? {} : { controlPlane: data.setup.controlPlane }),
      ...(data.setup.workers === undefined ? {} : { workers: data.setup.workers }),
    },
    session: {
      durationMinutes: data.session.durationMinutes,
      maxExtensionMinutes: data.session.maxExtensionMinutes,
      // The schema's default fills it in when the file leaves it out.
      extensionStepMinutes: data.session.extensionStepMinutes ?? defaultExtensionStepMinutes,
    },
    pool: {
      minReady: data.pool.minReady,
      maxTotal: data.pool.maxTotal,
      ...(perVersion === undefined
        ? {}
        : {
            perVersion: Object.fromEntries(
              Object.entries(perVersion).map(([version, s]) => [
                version,
                { minReady: s.minReady, maxTotal: s.maxTotal },
              ]),
            ),
          }),
    },
    // An empty block overrides nothing: the same lab as none.
    ...(Object.keys(network).length > 0 ? { network } : {}),
    ...(hasQuotaOverrides(quota) ? { quota } : {}),
    // Likewise empty check lists.
    ...(data.checks?.readiness?.length || data.checks?.solution?.length
      ? {
          checks: {
            ...(data.checks.readiness?.length ? { readiness: structuredClone(data.checks.readiness) } : {}),
            ...(data.checks.solution?.length ? { solution: structuredClone(data.checks.solution) } : {}),
          },
        }
      : {}),
    ...(Object.keys(exposure).length > 0 ? { exposure } : {}),
  };
}

/** The lab's exposure limits in canonical order, or undefined when it sets none. */
