import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Lab } from '@kubelabs/domain';
import { Persistence } from '@kubelabs/persistence';
import { repoRoot } from '@kubelabs/testing';
import { labFromDocument, loadCatalogDirectory, planCatalogSync, syncCatalog, upsertLabs } from './index';

function lab(id: string, changes: Partial<Lab> = {}): Lab {
  return {
    id,
    title: `Lab ${id}`,
    description: 'Fix the thing.',
    level: 'beginner',
    hints: ['Look first.'],
    tags: ['demo'],
    kubernetesVersions: ['1.35', '1.36'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 1, cpu: 1, memoryMiB: 1024 } },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    setup: { controlPlane: 'echo hi\n' },
    session: { durationMinutes: 60, maxExtensionMinutes: 30 },
    pool: { minReady: 1, maxTotal: 4 },
    ...changes,
  };
}

describe('planCatalogSync', () => {
  it.each([
    {
      name: 'inserts every lab into an empty store',
      desired: [lab('a'), lab('b')],
      stored: [],
      prune: false,
      plan: { inserts: ['a', 'b'], updates: [], unchanged: [], removals: [] },
    },
    {
      name: 'leaves identical labs alone',
      desired: [lab('a')],
      stored: [lab('a')],
      prune: false,
      plan: { inserts: [], updates: [], unchanged: ['a'], removals: [] },
    },
    {
      name: 'updates a lab whose title changed',
      desired: [lab('a', { title: 'New' })],
      stored: [lab('a')],
      prune: false,
      plan: { inserts: [], updates: ['a'], unchanged: [], removals: [] },
    },
    {
      name: 'updates a lab whose per-version override was removed',
      desired: [lab('a')],
      stored: [lab('a', { pool: { minReady: 1, maxTotal: 4, perVersion: { '1.36': { minReady: 2, maxTotal: 5 } } } })],
      prune: false,
      plan: { inserts: [], updates: ['a'], unchanged: [], removals: [] },
    },
    {
      name: 'sees no change between an empty per-version map and none',
      desired: [lab('a')],
      stored: [lab('a', { pool: { minReady: 1, maxTotal: 4, perVersion: {} } })],
      prune: false,
      plan: { inserts: [], updates: [], unchanged: ['a'], removals: [] },
    },
    {
      name: 'updates a lab whose bandwidth override changed',
      desired: [lab('a', { network: { egressBandwidth: '50M' } })],
      stored: [lab('a', { network: { egressBandwidth: '100M' } })],
      prune: false,
      plan: { inserts: [], updates: ['a'], unchanged: [], removals: [] },
    },
    {
      name: 'updates a lab whose bandwidth override was removed',
      desired: [lab('a')],
      stored: [lab('a', { network: { ingressBandwidth: '10M' } })],
      prune: false,
      plan: { inserts: [], updates: ['a'], unchanged: [], removals: [] },
    },
    {
      name: 'updates a lab whose exposure limits changed',
      desired: [lab('a', { exposure: { services: 2 } })],
      stored: [lab('a', { exposure: { services: 4 } })],
      prune: false,
      plan: { inserts: [], updates: ['a'], unchanged: [], removals: [] },
    },
    {
      name: 'sees no change between an empty network block and none',
      desired: [lab('a', { network: {} })],
      stored: [lab('a')],
      prune: false,
      plan: { inserts: [], updates: [], unchanged: ['a'], removals: [] },
    },
    {
      name: 'keeps stored labs missing from the files without prune',
      desired: [lab('a')],
      stored: [lab('a'), lab('old')],
      prune: false,
      plan: { inserts: [], updates: [], unchanged: ['a'], removals: [] },
    },
    {
      name: 'removes stored labs missing from the files with prune',
      desired: [lab('a')],
      stored: [lab('z'), lab('a'), lab('old')],
      prune: true,
      plan: { inserts: [], updates: [], unchanged: ['a'], removals: ['old', 'z'] },
    },
  ])('$name', ({ desired, stored, prune, plan }) => {
    const result = planCatalogSync(desired, stored, { prune });
    expect({
      inserts: result.inserts.map((l) => l.id),
      updates: result.updates.map((l) => l.id),
      unchanged: result.unchanged,
      removals: result.removals,
    }).toEqual(plan);
  });
});

// Needs the MongoDB-wire lane: inject('lanes').mongoUrl. Until the lane helper adds it to the global set-up these
// tests are SKIPPED (not passed); the lead runs them once the lane exists.
const mongoUrl = (inject('lanes') as { mongoUrl?: string }).mongoUrl;

describe.skipIf(!mongoUrl)('syncCatalog on the MongoDB lane', () => {
  let persistence: Persistence;
  let catalog: Lab[];

  beforeAll(async () => {
    const url = new URL(mongoUrl!);
    url.pathname = `/catalog_${randomUUID().slice(0, 8)}`;
    persistence = await Persistence.connect(url.toString());
    catalog = (await loadCatalogDirectory(join(repoRoot, 'deploy/catalog'))).labs;
  });
  afterAll(async () => {
    await persistence?.connection.dropDatabase();
    await persistence?.close();
  });

  const storedDocs = () => persistence.labs.find({}).sort({ _id: 1 }).lean().exec();

  it('writes the real catalog, then changes nothing when run again, and reads back the same labs', async () => {
    await persistence.labs.deleteMany({}).exec();
    expect(await syncCatalog(persistence, catalog)).toMatchObject({
      inserted: catalog.map((l) => l.id),
      updated: [],
      removed: [],
    });
    const first = await storedDocs();

    expect(await syncCatalog(persistence, catalog)).toEqual({
      inserted: [],
      updated: [],
      unchanged: catalog.map((l) => l.id),
      removed: [],
    });
    expect(await storedDocs()).toEqual(first);
    expect(first.map(labFromDocument)).toEqual([...catalog].toSorted((a, b) => a.id.localeCompare(b.id)));
  });

  it('replaces a changed lab whole, dropping removed nested fields but keeping createdAt', async () => {
    await persistence.labs.deleteMany({}).exec();
    const original = lab('change-me', { setup: { controlPlane: 'echo cp\n', workers: 'echo w\n' }, tags: ['a', 'b'] });
    await syncCatalog(persistence, [original]);
    const before = await persistence.labs.findById('change-me').lean().exec();

    const changed = lab('change-me', { title: 'Changed', setup: { controlPlane: 'echo cp\n' }, tags: ['b'] });
    expect(await syncCatalog(persistence, [changed])).toMatchObject({ updated: ['change-me'] });
    const after = await persistence.labs.findById('change-me').lean().exec();
    expect(labFromDocument(after!)).toEqual(changed);
    expect(after!.createdAt).toEqual(before!.createdAt);
  });

  it('stores per-version pool overrides and drops them when they leave the file', async () => {
    await persistence.labs.deleteMany({}).exec();
    const withOverride = lab('per-version', {
      pool: { minReady: 1, maxTotal: 4, perVersion: { '1.36': { minReady: 2, maxTotal: 5 } } },
    });
    await syncCatalog(persistence, [withOverride]);
    expect(labFromDocument((await persistence.labs.findById('per-version').lean().exec())!)).toEqual(withOverride);
    await syncCatalog(persistence, [lab('per-version')]);
    expect(labFromDocument((await persistence.labs.findById('per-version').lean().exec())!)).toEqual(
      lab('per-version'),
    );
  });

  it('stores a lab’s own node image and drops it when it leaves the file', async () => {
    await persistence.labs.deleteMany({}).exec();
    const { image: _image, ...platformImage } = lab('own-image');
    const withImage = { ...platformImage, image: 'registry.example/labs/own-image:{version}' };
    const stored = async () => labFromDocument((await persistence.labs.findById('own-image').lean().exec())!);
    await syncCatalog(persistence, [withImage]);
    expect(await stored()).toEqual(withImage);
    expect(await syncCatalog(persistence, [platformImage])).toMatchObject({ updated: ['own-image'] });
    expect(await stored()).toEqual(platformImage);
    expect(await syncCatalog(persistence, [platformImage])).toMatchObject({ unchanged: ['own-image'] });
  });

  it('stores bandwidth overrides and drops them when they leave the file', async () => {
    await persistence.labs.deleteMany({}).exec();
    const withOverride = lab('bandwidth', { network: { ingressBandwidth: '200M', egressBandwidth: '50M' } });
    await syncCatalog(persistence, [withOverride]);
    const stored = async () => labFromDocument((await persistence.labs.findById('bandwidth').lean().exec())!);
    expect(await stored()).toEqual(withOverride);
    const oneDirection = lab('bandwidth', { network: { egressBandwidth: '50M' } });
    expect(await syncCatalog(persistence, [oneDirection])).toMatchObject({ updated: ['bandwidth'] });
    expect(await stored()).toEqual(oneDirection);
    expect(await syncCatalog(persistence, [lab('bandwidth')])).toMatchObject({ updated: ['bandwidth'] });
    expect(await stored()).toEqual(lab('bandwidth'));
    expect(await syncCatalog(persistence, [lab('bandwidth')])).toMatchObject({ unchanged: ['bandwidth'] });
  });

  it('stores quota overrides (a zero included) and drops them when they leave the file', async () => {
    await persistence.labs.deleteMany({}).exec();
    const withOverride = lab('quota', { quota: { headroomPercent: 0, defaultContainerRequest: { cpuMillis: 100 } } });
    await syncCatalog(persistence, [withOverride]);
    const stored = async () => labFromDocument((await persistence.labs.findById('quota').lean().exec())!);
    expect(await stored()).toEqual(withOverride);
    expect(await syncCatalog(persistence, [withOverride])).toMatchObject({ unchanged: ['quota'] });
    expect(await syncCatalog(persistence, [lab('quota')])).toMatchObject({ updated: ['quota'] });
    expect(await stored()).toEqual(lab('quota'));
  });

  it('stores exposure limits and drops them when they leave the file', async () => {
    await persistence.labs.deleteMany({}).exec();
    const limited = lab('limited', { exposure: { services: 1, ports: '80,443' } });
    await syncCatalog(persistence, [limited]);
    const stored = async () => labFromDocument((await persistence.labs.findById('limited').lean().exec())!);
    expect(await stored()).toEqual(limited);
    expect(await syncCatalog(persistence, [lab('limited')])).toMatchObject({ updated: ['limited'] });
    expect(await stored()).toEqual(lab('limited'));
  });

  it('prunes labs that left the files only when asked to', async () => {
    await persistence.labs.deleteMany({}).exec();
    await syncCatalog(persistence, [lab('keep'), lab('gone')]);
    expect(await syncCatalog(persistence, [lab('keep')])).toMatchObject({ unchanged: ['keep'], removed: [] });
    expect((await storedDocs()).map((doc) => doc._id)).toEqual(['gone', 'keep']);

    expect(await syncCatalog(persistence, [lab('keep')], { prune: true })).toMatchObject({
      unchanged: ['keep'],
      removed: ['gone'],
    });
    expect((await storedDocs()).map((doc) => doc._id)).toEqual(['keep']);
    await expect(syncCatalog(persistence, [], { prune: true })).rejects.toMatchObject({ code: 'lab.invalid' });
  });

  it('upserts by id: writing the same labs twice leaves one document each', async () => {
    await persistence.labs.deleteMany({}).exec();
    await upsertLabs(persistence.labs, [lab('one'), lab('two')]);
    await upsertLabs(persistence.labs, [lab('one', { title: 'One again' }), lab('two')]);
    const docs = await storedDocs();
    expect(docs.map((doc) => [doc._id, doc.title])).toEqual([
      ['one', 'One again'],
      ['two', 'Lab two'],
    ]);
  });
});
