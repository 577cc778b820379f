// The shipped catalog against the node image: every lab boots the image the platform's config points at (the
// provisioner's NODE_IMAGE), and every Kubernetes version a lab offers is one deploy/images can build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogDirectory } from '@kubelabs/catalog';
import { loadConfig } from '@kubelabs/config';
import type { Lab } from '@kubelabs/domain';
import { repoRoot } from '@kubelabs/testing';
import { planTenantCredentials } from './credentials';
import { ProvisionerConfig, renderOptionsFrom } from './config';
import { renderTenant } from './render';

const imagesDir = join(repoRoot, 'deploy/images');
const config = loadConfig(ProvisionerConfig, {
  NATS_URL: 'nats://127.0.0.1:4222',
  MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs',
  NODE_IMAGE: 'registry.example.com/ops/kubelabs-node:{version}',
});

describe('the shipped catalog and the node image', () => {
  let labs: Lab[];
  beforeAll(async () => {
    const catalog = await loadCatalogDirectory(join(repoRoot, 'deploy/catalog'));
    expect(catalog.errors).toEqual([]);
    labs = catalog.labs;
    expect(labs.length).toBeGreaterThan(0);
  });

  it('names no image of its own in any lab: each boots the platform’s NODE_IMAGE', async () => {
    const credentials = await planTenantCredentials({ now: new Date('2026-12-07T00:00:00Z') });
    for (const lab of labs) {
      expect(lab.image, lab.id).toBeUndefined();
      for (const kubernetesVersion of lab.kubernetesVersions) {
        const objects = renderTenant(
          lab,
          { id: `t-${lab.id}-x1`, labId: lab.id, kubernetesVersion },
          { credentials, options: renderOptionsFrom(config) },
        );
        const disks = objects
          .filter((o) => o.kind === 'VirtualMachine')
          .map((vm) => JSON.stringify(vm).match(/"containerDisk":\{"image":"([^"]+)"/)?.[1]);
        expect(new Set(disks), `${lab.id} ${kubernetesVersion}`).toEqual(
          new Set([`registry.example.com/ops/kubelabs-node:${kubernetesVersion}`]),
        );
      }
    }
  });

  it('offers only Kubernetes minors the image recipe pins an exact patch release for', () => {
    const offered = new Set(labs.flatMap((lab) => lab.kubernetesVersions));
    for (const minor of offered) {
      const file = join(imagesDir, 'versions', `${minor}.env`);
      expect(existsSync(file), `deploy/images/versions/${minor}.env`).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(
        new RegExp(`^KUBE_VERSION=v${minor.replace('.', '\\.')}\\.\\d+$`, 'm'),
      );
    }
  });
});
