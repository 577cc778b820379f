import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot } from '@kubelabs/testing';
import { checkCatalog, formatCatalogErrors, loadCatalogDirectory, parseLabFile } from './index';

function labText(id: string, overrides: Record<string, unknown> = {}): string {
  return stringify({
    id,
    title: `Lab ${id}`,
    description: 'Fix the thing.',
    level: 'intermediate',
    kubernetesVersions: ['1.36'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 1, cpu: 1, memoryMiB: 1024 } },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    session: { durationMinutes: 60, maxExtensionMinutes: 30 },
    pool: { minReady: 1, maxTotal: 4 },
    ...overrides,
  });
}

describe('the catalog in deploy/catalog', () => {
  it('validates every real lab file without a single error', async () => {
    const { labs, errors } = await loadCatalogDirectory(join(repoRoot, 'deploy/catalog'));
    expect(formatCatalogErrors(errors)).toEqual([]);
    expect(labs.map((lab) => lab.id)).toEqual(['broken-dns', 'broken-kubelet', 'flask-debugging', 'sandbox']);
  });

  it('offers every real lab on the supported versions, with small pools and a one-node sandbox', async () => {
    const { labs } = await loadCatalogDirectory(join(repoRoot, 'deploy/catalog'));
    for (const lab of labs) {
      expect(lab.kubernetesVersions).toEqual(['1.34', '1.35', '1.36']);
      expect(lab.hints.length).toBeGreaterThan(0);
      expect(lab.pool.maxTotal).toBeLessThanOrEqual(6);
    }
    const sandbox = labs.find((lab) => lab.id === 'sandbox')!;
    expect(sandbox.topology.workers.count).toBe(0);
    expect(sandbox.setup.controlPlane).toContain('node-role.kubernetes.io/control-plane-');
  });
});

describe('checkCatalog', () => {
  it('reports an id used by two files in each of them and keeps neither', () => {
    const { labs, errors } = checkCatalog([
      { file: 'catalog/a/dns.yaml', text: labText('dns') },
      { file: 'catalog/b/dns.yaml', text: labText('dns') },
      { file: 'catalog/sandbox.yaml', text: labText('sandbox') },
    ]);
    expect(labs.map((lab) => lab.id)).toEqual(['sandbox']);
    expect(formatCatalogErrors(errors)).toEqual([
      'catalog/a/dns.yaml:1: /id "dns" is also the id in catalog/b/dns.yaml',
      'catalog/b/dns.yaml:1: /id "dns" is also the id in catalog/a/dns.yaml',
    ]);
  });

  it('finds a duplicate id even in a file that is invalid for other reasons', () => {
    const { errors } = checkCatalog([
      { file: 'catalog/dns.yaml', text: labText('dns') },
      { file: 'catalog/dns-copy.yaml', text: labText('dns', { level: 'expert' }) },
    ]);
    expect(errors.map((error) => [error.file, error.path])).toEqual([
      ['catalog/dns-copy.yaml', '/id'],
      ['catalog/dns-copy.yaml', '/id'],
      ['catalog/dns-copy.yaml', '/level'],
      ['catalog/dns.yaml', '/id'],
    ]);
  });

  it('gives the same verdict as parseLabFile for a single file', () => {
    const text = labText('sandbox');
    expect(checkCatalog([{ file: 'x/sandbox.yaml', text }]).labs).toEqual([
      (parseLabFile('x/sandbox.yaml', text) as { lab: unknown }).lab,
    ]);
  });
});

describe('loadCatalogDirectory', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubelabs-catalog-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads sub-folders in name order, ignores other files and flags .yml files', async () => {
    const dir = join(root, 'mixed');
    mkdirSync(join(dir, 'networking'), { recursive: true });
    writeFileSync(join(dir, 'sandbox.yaml'), labText('sandbox'));
    writeFileSync(join(dir, 'networking', 'dns.yaml'), labText('dns'));
    writeFileSync(join(dir, 'networking', 'cni.yml'), labText('cni'));
    writeFileSync(join(dir, 'README.md'), '# labs\n');
    const { labs, errors } = await loadCatalogDirectory(dir);
    expect(labs.map((lab) => lab.id)).toEqual(['dns', 'sandbox']);
    expect(formatCatalogErrors(errors)).toEqual([
      `${join(dir, 'networking', 'cni.yml')}: lab files end in .yaml: rename it to be loaded`,
    ]);
  });

  it('reports errors from every file, not only the first bad one', async () => {
    const dir = join(root, 'two-bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), labText('a', { pool: { minReady: 3, maxTotal: 2 } }));
    writeFileSync(join(dir, 'b.yaml'), 'id: b\ntitle: [\n');
    writeFileSync(join(dir, 'c.yaml'), labText('c'));
    const { labs, errors } = await loadCatalogDirectory(dir);
    expect(labs.map((lab) => lab.id)).toEqual(['c']);
    expect(errors.map((error) => `${error.file.slice(dir.length + 1)} ${error.path}`)).toEqual([
      'a.yaml /pool/maxTotal',
      'b.yaml ',
    ]);
  });

  it('treats an empty or missing directory as an error, so nothing is loaded or pruned by mistake', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect((await loadCatalogDirectory(empty)).errors).toEqual([
      { file: empty, path: '', message: 'holds no .yaml lab files' },
    ]);
    const missing = join(root, 'missing');
    const result = await loadCatalogDirectory(missing);
    expect(result.labs).toEqual([]);
    expect(result.errors[0]).toMatchObject({
      file: missing,
      path: '',
      message: expect.stringMatching(/^cannot read the catalog directory: ENOENT/),
    });
  });
});
