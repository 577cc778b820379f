// The whole catalog at once: every file's errors plus what only shows across files (two files claiming one id).
import type { Lab } from '@kubelabs/domain';
import { sortCatalogErrors, type CatalogError } from './catalog-error';
import { readLabFile, type LabFileReading } from './parse-lab-file';

export interface CatalogResult {
  /** The valid labs, in file order. A lab whose id is duplicated is left out. */
  labs: Lab[];
  errors: CatalogError[];
}

export function checkCatalog(files: ReadonlyArray<{ file: string; text: string }>): CatalogResult {
  const readings = files.map(({ file, text }) => readLabFile(file, text));
  const errors = readings.flatMap((reading) => reading.errors);

  const byId = new Map<string, LabFileReading[]>();
  for (const reading of readings) {
    if (reading.id !== undefined) byId.set(reading.id, [...(byId.get(reading.id) ?? []), reading]);
  }
  const duplicated = new Set<string>();
  for (const [id, holders] of byId) {
    if (holders.length < 2) continue;
    duplicated.add(id);
    for (const holder of holders) {
      const others = holders.filter((other) => other !== holder).map((other) => other.file);
      errors.push({
        file: holder.file,
        path: '/id',
        message: `"${id}" is also the id in ${others.join(', ')}`,
        ...holder.place('/id'),
      });
    }
  }

  const labs = readings.flatMap((reading) => (reading.lab && !duplicated.has(reading.lab.id) ? [reading.lab] : []));
  return { labs, errors: sortCatalogErrors(errors) };
}
