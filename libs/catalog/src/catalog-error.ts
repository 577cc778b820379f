// What the catalog reports about a lab file: which file, where in it (a JSON pointer and, when known, the line), and
// what is wrong, so an operator can fix every problem in one pass.
export interface CatalogError {
  file: string;
  /** JSON pointer into the lab (`/pool/maxTotal`); '' for the file as a whole. */
  path: string;
  message: string;
  /** 1-based line and column in the file, when the error can be placed. */
  line?: number;
  column?: number;
}

/** One line per error: `deploy/catalog/x.yaml:14: /pool/maxTotal must be >= 2 (minReady)`. */
export function formatCatalogErrors(errors: readonly CatalogError[]): string[] {
  return errors.map((error) => {
    const where = error.line === undefined ? error.file : `${error.file}:${error.line}`;
    return `${where}: ${error.path === '' ? '' : `${error.path} `}${error.message}`;
  });
}

/** Orders errors by file, then line (unplaced errors last in their file), keeping the order found otherwise. */
export function sortCatalogErrors(errors: readonly CatalogError[]): CatalogError[] {
  return errors
    .map((error, index) => ({ error, index }))
    .toSorted(
      (a, b) =>
        (a.error.file < b.error.file ? -1 : a.error.file > b.error.file ? 1 : 0) ||
        (a.error.line ?? Number.MAX_SAFE_INTEGER) - (b.error.line ?? Number.MAX_SAFE_INTEGER) ||
        a.index - b.index,
    )
    .map(({ error }) => error);
}

export function pointer(...segments: Array<string | number>): string {
  return segments.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function pointerSegments(path: string): string[] {
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}
