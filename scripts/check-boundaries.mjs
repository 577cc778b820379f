// Fails when an import crosses a boundary the layout promises (see README "Layout", shared CONVENTIONS):
//   1. a service imports from another service;
//   2. anything outside a lib reaches past its index.ts (`@kubelabs/x/...`, or a relative path into libs/x/ that is
//      not libs/x/src/index);
//   3. product code (services/, libs/) imports from simulator/, test/ or bench/, or a lib imports from a service;
//   4. test/, simulator/ and bench/ import a service's code (services/<name>/src/); only test/ may import a service's
//      build-time tools (services/<name>/scripts/, e.g. the OpenAPI generator the contract tests compare against).
// oxlint's no-restricted-imports cannot say this: it matches the import text without resolving it against the
// importing file (so a relative path's meaning depends on the file's depth), it would need one override per service
// (a new service would be unguarded), and its regexes have no look-ahead for "anything but index".
//
// Usage: node scripts/check-boundaries.mjs [--root DIR] [DIR...]   (default: services libs test simulator bench)
// Prints `file:line:col  message` per violation and exits 1 when there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const sourceExtensions = /\.(?:[cm]?ts|[cm]?js)$/;
const skippedDirectories = new Set(['node_modules', 'dist', 'coverage', '.lane']);
const topLevel = ['services', 'libs', 'test', 'simulator', 'bench', 'scripts', 'contracts', 'deploy'];

function parseArguments(argv) {
  let root = resolve(import.meta.dirname, '..');
  const dirs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = resolve(argv[++i] ?? '.');
    else dirs.push(argv[i]);
  }
  return { root, dirs: dirs.length > 0 ? dirs : ['services', 'libs', 'test', 'simulator', 'bench'] };
}

function* sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirectories.has(entry.name)) yield* sourceFiles(path);
    } else if (sourceExtensions.test(entry.name)) yield path;
  }
}

const repoPath = (root, absolute) => relative(root, absolute).split(sep).join('/');

/** Where a repository-relative path sits: `services/<name>/...`, `libs/<name>/...`, or a top-level directory. */
function zoneOf(path) {
  const [top = '', name = '', ...rest] = path.split('/');
  if (top === 'services' || top === 'libs') return { top, name, rest: rest.join('/') };
  return { top, name: '', rest: [name, ...rest].join('/') };
}

/** `libs/<x>/` + this is the lib's public face: its src directory or src/index. */
const isLibIndex = (rest) => /^src(?:\/|\/index(?:\.[cm]?[jt]s)?)?$/.test(rest);

/** The repository-relative path an import names, or undefined for a package (other than @kubelabs/*). */
function targetOf(root, file, specifier) {
  if (specifier.startsWith('.')) return repoPath(root, resolve(dirname(file), specifier));
  // SWC's baseUrl would also resolve a bare `services/...` or `libs/...`; treat those as repository paths.
  if (topLevel.includes(specifier.split('/')[0])) return posix.normalize(specifier);
  return undefined;
}

function violationOf(from, specifier, target) {
  const kubelabs = /^@kubelabs\/([^/]+)\/(.+)$/.exec(specifier);
  if (kubelabs)
    return `'${specifier}' reaches past @kubelabs/${kubelabs[1]}'s index.ts; import '@kubelabs/${kubelabs[1]}'`;
  if (target === undefined) return undefined;
  if (target.startsWith('..')) return `'${specifier}' leaves the repository`;
  const to = zoneOf(target);
  const product = from.top === 'services' || from.top === 'libs';
  if (to.top === 'services' && !(from.top === 'services' && from.name === to.name)) {
    if (from.top === 'services')
      return `services/${from.name} imports services/${to.name} ('${specifier}'); shared code belongs in libs/`;
    if (from.top === 'libs') return `a lib imports services/${to.name} ('${specifier}')`;
    // A service's scripts/ are its build-time tools (the OpenAPI generator), which contract tests run in-process.
    if (!(from.top === 'test' && to.rest.startsWith('scripts/')))
      return `${from.top}/ imports the internals of services/${to.name} ('${specifier}'); run it as a process, or move what is shared to libs/`;
  }
  if (to.top === 'libs' && !(from.top === 'libs' && from.name === to.name) && !isLibIndex(to.rest))
    return `'${specifier}' reaches past libs/${to.name}/src/index.ts; import '@kubelabs/${to.name}'`;
  if (product && ['simulator', 'test', 'bench'].includes(to.top))
    return `product code imports ${to.top}/ ('${specifier}'); ${to.top}/ may use product code, never the other way`;
  return undefined;
}

function lineAndColumn(text, position) {
  const before = text.slice(0, position).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

export function checkBoundaries(root, dirs) {
  const violations = [];
  let files = 0;
  for (const dir of dirs) {
    const absolute = resolve(root, dir);
    if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const file of sourceFiles(absolute)) {
      files++;
      const path = repoPath(root, file);
      const text = readFileSync(file, 'utf8');
      const from = zoneOf(path);
      // preProcessFile finds import/export-from, import(), require() and `import x = require()`, ignoring comments.
      for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
        const message = violationOf(from, ref.fileName, targetOf(root, file, ref.fileName));
        if (message) violations.push(`${path}:${lineAndColumn(text, ref.pos)}  ${message}`);
      }
    }
  }
  return { files, violations };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { root, dirs } = parseArguments(process.argv.slice(2));
  const { files, violations } = checkBoundaries(root, dirs);
  for (const line of violations) console.error(line);
  if (violations.length > 0) {
    console.error(`check-boundaries: ${violations.length} import(s) cross a boundary in ${files} files`);
    process.exit(1);
  }
}
