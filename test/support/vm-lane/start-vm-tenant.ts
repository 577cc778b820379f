// I/O: one tenant as real VMs: the provisioner's rendered user data for each node, booted from the lane's node disk
// on a private network of its own, the control plane's API forwarded to a loopback port. Reports, per node, when the
// bootstrap marker (complete or failed) appeared.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Lab } from '@kubelabs/domain';
import { findFreePort, waitFor } from '@kubelabs/testing';
import {
  bootstrapMarkers,
  renderNodeSeeds,
  type RenderedTenantSeeds,
  type RenderTenantOptions,
} from '../../../services/provisioner/scripts/render-node-seeds';
import { bootVm, type BootedVm } from './boot-vm';
import type { NodeDisk } from './node-disk';
import { planVmNetwork } from './plan-vm-network';

export interface VmTenant {
  seeds: RenderedTenantSeeds;
  vms: BootedVm[];
  apiPort: number;
  workDir: string;
  stop(): Promise<void>;
}

export interface BootstrapOutcome {
  node: string;
  state: 'complete' | 'failed';
  /** The failed marker's content: the failing step. */
  detail: string;
  seconds: number;
}

export async function startVmTenant(input: {
  disk: NodeDisk;
  lab: Lab;
  tenantId: string;
  kubernetesVersion: string;
  /** The provisioner's render settings (the tenant pod subnet, say), as its config would give them. */
  renderOptions?: RenderTenantOptions;
}): Promise<VmTenant> {
  const seeds = await renderNodeSeeds({
    lab: input.lab,
    tenantId: input.tenantId,
    kubernetesVersion: input.kubernetesVersion,
    ...(input.renderOptions ? { renderOptions: input.renderOptions } : {}),
  });
  const plans = planVmNetwork({ tenantId: input.tenantId, nodes: seeds.nodes, apiHost: seeds.apiHost });
  const workDir = mkdtempSync(join(process.env.KUBELABS_VM_WORK_DIR ?? tmpdir(), `kubelabs-vm-${input.tenantId}-`));
  const [lanPort, apiPort] = [await findFreePort(), await findFreePort()];
  const lan = { group: tenantLanGroup(input.tenantId), port: lanPort };
  const vms: BootedVm[] = [];
  const stop = async () => {
    await Promise.all(vms.map((vm) => vm.stop()));
  };
  try {
    for (const [index, node] of seeds.nodes.entries()) {
      const plan = plans[index]!;
      vms.push(
        await bootVm({
          disk: input.disk,
          plan,
          userData: node.userData,
          cpu: node.cpu,
          memoryMiB: node.memoryMiB,
          workDir,
          lan,
          ...(node.role === 'control-plane' ? { apiForwardPort: apiPort } : {}),
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { seeds, vms, apiPort, workDir, stop };
}

/** A tenant's own multicast group (administratively scoped, 239/8): tenants on one machine share no network even if a
 *  port were reused. */
export function tenantLanGroup(tenantId: string): string {
  const digest = createHash('sha256').update(tenantId).digest();
  return `239.77.${digest[0]}.${1 + (digest[1]! % 254)}`;
}

/** Waits (bounded) until the node wrote bootstrap.complete or bootstrap.failed; qemu exiting ends the wait early. */
export async function waitForBootstrapMarker(vm: BootedVm, timeoutMs: number): Promise<BootstrapOutcome> {
  let outcome: BootstrapOutcome | undefined;
  await waitFor(
    `${vm.name}'s bootstrap marker`,
    async () => {
      const exited = vm.exited();
      if (exited) throw new Error(exited);
      const failed = await vm.agent.readFile(bootstrapMarkers.failed);
      const complete = failed === undefined ? await vm.agent.readFile(bootstrapMarkers.complete) : undefined;
      if (failed === undefined && complete === undefined) return false;
      outcome = {
        node: vm.name,
        state: failed === undefined ? 'complete' : 'failed',
        detail: (failed ?? '').trim(),
        seconds: Math.round((Date.now() - vm.startedAt) / 1000),
      };
      return true;
    },
    { timeoutMs, intervalMs: 5000 },
  );
  return outcome!;
}
