// Reads every lab file under a catalog directory (sub-folders included, in name order) and checks them together.
// The only I/O of the catalog's validation; the checks themselves are pure.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogError } from './catalog-error';
import { checkCatalog, type CatalogResult } from './check-catalog';

const maxDepth = 4;

export async function loadCatalogDirectory(dir: string): Promise<CatalogResult> {
  const found: string[] = [];
  const errors: CatalogError[] = [];
  try {
    await collect(dir, 0, found, errors);
  } catch (error) {
    return {
      labs: [],
      errors: [{ file: dir, path: '', message: `cannot read the catalog directory: ${(error as Error).message}` }],
    };
  }
  if (found.length === 0 && errors.length === 0) {
    errors.push({ file: dir, path: '', message: 'holds no .yaml lab files' });
  }
  const files = await Promise.all(found.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  const result = checkCatalog(files);
  return { labs: result.labs, errors: [...errors, ...result.errors] };
}

async function collect(dir: string, depth: number, found: string[], errors: CatalogError[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).toSorted((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth + 1 >= maxDepth)
        errors.push({ file: path, path: '', message: `is nested deeper than ${maxDepth} levels` });
      else await collect(path, depth + 1, found, errors);
    } else if (entry.name.endsWith('.yaml')) {
      found.push(path);
    } else if (entry.name.endsWith('.yml')) {
      errors.push({ file: path, path: '', message: 'lab files end in .yaml: rename it to be loaded' });
    }
  }
}
