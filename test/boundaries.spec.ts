// The import boundaries (scripts/check-boundaries.mjs) fail on each kind of wrong import written into a throwaway tree,
// let the allowed ones through, hold on the real tree, and run wherever oxlint runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '..');
const checker = join(repoRoot, 'scripts/check-boundaries.mjs');

function check(root?: string): { status: number | null; output: string } {
  const args = root ? [checker, '--root', root] : [checker];
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

const wrong = [
  {
    name: 'a service importing another service',
    file: 'services/a/src/deep/use-b.ts',
    source: "import { thing } from '../../../b/src/thing';\nexport const x = thing;\n",
    message: "services/a/src/deep/use-b.ts:1:23  services/a imports services/b ('../../../b/src/thing')",
  },
  {
    name: 'a service re-exporting another service',
    file: 'services/a/src/reexport.ts',
    source: "// a comment first\nexport * from '../../b/src/thing';\n",
    message: "services/a/src/reexport.ts:2:15  services/a imports services/b ('../../b/src/thing')",
  },
  {
    name: 'a deep @kubelabs import',
    file: 'services/a/src/deep-lib.ts',
    source: "import type { Inner } from '@kubelabs/l/src/inner';\nexport type X = Inner;\n",
    message: "'@kubelabs/l/src/inner' reaches past @kubelabs/l's index.ts; import '@kubelabs/l'",
  },
  {
    name: 'a relative path into another lib',
    file: 'libs/m/src/use-l.ts',
    source: "import { inner } from '../../l/src/inner';\nexport const y = inner;\n",
    message: "libs/m/src/use-l.ts:1:23  '../../l/src/inner' reaches past libs/l/src/index.ts",
  },
  {
    name: 'a test reaching into a service with a dynamic import',
    file: 'test/boots-a.spec.ts',
    source: "export const load = () => import('../services/a/src/main');\n",
    message: "test/boots-a.spec.ts:1:34  test/ imports the internals of services/a ('../services/a/src/main')",
  },
  {
    name: 'the bench importing a service tool (only tests may)',
    file: 'bench/src/gen.ts',
    source: "import { generate } from '../../services/a/scripts/generate';\nexport const g = generate;\n",
    message: "bench/ imports the internals of services/a ('../../services/a/scripts/generate')",
  },
  {
    name: 'a lib requiring a service',
    file: 'libs/l/src/use-service.ts',
    source: "const main = require('../../../services/a/src/main');\nexport const m = main;\n",
    message: "a lib imports services/a ('../../../services/a/src/main')",
  },
  {
    name: 'product code importing the simulator',
    file: 'services/a/src/simulated.ts',
    source: "import { simulate } from '../../../simulator/src/simulate';\nexport const s = simulate;\n",
    message: "product code imports simulator/ ('../../../simulator/src/simulate')",
  },
];

const allowed = [
  { file: 'services/a/src/main.ts', source: "import { inner } from './deep/local';\nexport const main = inner;\n" },
  { file: 'services/a/src/deep/local.ts', source: "import { l } from '@kubelabs/l';\nexport const inner = l;\n" },
  { file: 'services/a/scripts/generate.ts', source: "export { main as generate } from '../src/main';\n" },
  { file: 'services/b/src/thing.ts', source: 'export const thing = 1;\n' },
  { file: 'libs/l/src/index.ts', source: "export * from './inner';\nexport const l = 1;\n" },
  { file: 'libs/l/src/inner.ts', source: 'export const inner = 1;\nexport type Inner = number;\n' },
  {
    file: 'simulator/src/simulate.ts',
    source: "import { l } from '../../libs/l/src/index';\nexport const simulate = l;\n",
  },
  {
    file: 'test/contract.spec.ts',
    source: "import { generate } from '../services/a/scripts/generate';\nvoid generate;\n",
  },
  { file: 'test/support/run.ts', source: "import { simulate } from '../../simulator/src/simulate';\nvoid simulate;\n" },
];

describe('import boundaries (scripts/check-boundaries.mjs)', () => {
  let dir: string;
  let result: { status: number | null; output: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubelabs-boundaries-'));
    for (const { file, source } of [...wrong, ...allowed]) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), source);
    }
    result = check(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with one line per wrong import and a count', () => {
    expect(result.status).toBe(1);
    expect(result.output).toContain(`${wrong.length} import(s) cross a boundary`);
  });

  it.each(wrong)('reports $name', ({ file, message }) => {
    const lines = result.output.split('\n').filter((line) => line.startsWith(`${file}:`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it('lets a service use itself and the libs, tests use a service tool, everyone use a lib index and the simulator', () => {
    for (const { file } of allowed) expect(result.output).not.toContain(`${file}:`);
  });

  it('holds on the real tree', () => {
    expect(check()).toEqual({ status: 0, output: '' });
  });

  it('runs after oxlint in `npm run lint` and in `npm test`', () => {
    const lint = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { lint: string } })
      .scripts.lint;
    expect(lint).toMatch(/^oxlint .* && node scripts\/check-boundaries\.mjs$/);
    expect(readFileSync(join(repoRoot, 'scripts/run.sh'), 'utf8')).toMatch(
      /oxlint --quiet [^\n]*\n\s*node scripts\/check-boundaries\.mjs/,
    );
  });
});
