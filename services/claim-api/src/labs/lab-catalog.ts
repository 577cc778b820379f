// Reads labs for the claim path, with a short cache so a claim costs no catalog round trip.
import { Injectable } from '@nestjs/common';
import { DomainError, type Lab } from '@kubelabs/domain';
import { labFromDocument, Persistence, type LabDocument } from '@kubelabs/persistence';

const cacheTtlMs = 2_000;

@Injectable()
export class LabCatalog {
  private cache = new Map<string, { lab: Lab | null; until: number }>();

  constructor(private readonly db: Persistence) {}

  async list(): Promise<Lab[]> {
    const docs = await this.db.labs.find().sort({ _id: 1 }).lean().exec();
    return docs.map((doc) => labFromDocument(doc as LabDocument));
  }

  async find(id: string): Promise<Lab | null> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.lab;
    const doc = await this.db.labs.findById(id).lean().exec();
    const lab = doc ? labFromDocument(doc as LabDocument) : null;
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(id, { lab, until: Date.now() + cacheTtlMs });
    return lab;
  }

  async get(id: string): Promise<Lab> {
    const lab = await this.find(id);
    if (!lab) throw new DomainError('lab.not_found', `no lab '${id}' in the catalog`, { labId: id });
    return lab;
  }

  /** The lab and the Kubernetes version a claim will get: the asked one, or the newest offered. */
  async resolveVersion(labId: string, version?: string): Promise<{ lab: Lab; kubernetesVersion: string }> {
    const lab = await this.get(labId);
    const offered = [...lab.kubernetesVersions].sort(compareVersions);
    const kubernetesVersion = version ?? offered[offered.length - 1];
    if (!kubernetesVersion || !offered.includes(kubernetesVersion)) {
      throw new DomainError(
        'lab.version_not_offered',
        `lab '${labId}' is not offered on Kubernetes ${version}; offered: ${offered.join(', ')}`,
        {
          labId,
          offered,
        },
      );
    }
    return { lab, kubernetesVersion };
  }

  invalidate(): void {
    this.cache.clear();
  }
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}
