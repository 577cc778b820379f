// The node image's own check (deploy/images/check-node-image.sh): a one-node tenant of the sandbox lab, rendered by
// the provisioner, boots from the image and writes the bootstrap marker. Checks the production image given in
// KUBELABS_NODE_IMAGE_DISK (with KUBELABS_NODE_IMAGE_MINOR), else the VM lane's Debian disk built by the same recipe.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseLabFile } from '@kubelabs/catalog';
import { repoRoot } from '@kubelabs/testing';
import { ensureNodeDisk } from '../support/vm-lane/node-disk';
import { startVmTenant, waitForBootstrapMarker, type VmTenant } from '../support/vm-lane/start-vm-tenant';

let tenant: VmTenant | undefined;
afterAll(async () => tenant?.stop());

it(
  'boots a one-node tenant from the node image to bootstrap.complete',
  async () => {
    const minor = process.env.KUBELABS_NODE_IMAGE_MINOR ?? '1.36';
    const file = join(repoRoot, 'deploy/catalog/sandbox.yaml');
    const parsed = parseLabFile(file, readFileSync(file, 'utf8'));
    if (!('lab' in parsed)) throw new Error('deploy/catalog/sandbox.yaml is not a valid lab');
    const disk = await ensureNodeDisk();
    tenant = await startVmTenant({ disk, lab: parsed.lab, tenantId: 't-image-check', kubernetesVersion: minor });
    const outcome = await waitForBootstrapMarker(tenant.vms[0]!, 40 * 60_000);
    console.log(`[vm-figures] node image check: ${outcome.state} after ${outcome.seconds} s`);
    expect([outcome.state, outcome.detail]).toEqual(['complete', '']);
  },
  4 * 3600_000,
);
