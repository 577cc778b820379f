// I/O: one tenant as real VMs: the provisioner's rendered user data for each node, booted from the lane's node disk
// on a private network of its own, the control plane's API forwarded to a loopback port. Reports, per node, when the
// bootstrap marker (complete or failed) appeared.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Lab } from '@kubelabs/domain';
import { findFreePort } from '@kubelabs/testing';
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
  // Every node joins the tenant's multicast bus, so they boot at once, in any order. Each resolves when its guest
  // agent answers; a VM that fails to boot stops the others.
  const booting = seeds.nodes.map((node, index) =>
    bootVm({
      disk: input.disk,
      plan: plans[index]!,
      userData: node.userData,
      cpu: node.cpu,
      memoryMiB: node.memoryMiB,
      workDir,
      lan,
      ...(node.role === 'control-plane' ? { apiForwardPort: apiPort } : {}),
    }).then((vm) => {
      vms.push(vm);
      return vm;
    }),
  );
  const booted = await Promise.allSettled(booting);
  const failed = booted.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  vms.sort((a, b) => plans.findIndex((p) => p.name === a.name) - plans.findIndex((p) => p.name === b.name));
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
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Not waitFor: it retries through a thrown error, and a VM that died will never write its marker.
    const exited = vm.exited();
    if (exited) throw new Error(`${vm.name} stopped before its bootstrap marker: ${exited}`);
    const failed = await vm.agent.readFile(bootstrapMarkers.failed).catch(() => undefined);
    const complete =
      failed === undefined ? await vm.agent.readFile(bootstrapMarkers.complete).catch(() => undefined) : undefined;
    if (failed !== undefined || complete !== undefined)
      return {
        node: vm.name,
        state: failed === undefined ? 'complete' : 'failed',
        detail: (failed ?? '').trim(),
        seconds: Math.round((Date.now() - vm.startedAt) / 1000),
      };
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${vm.name}'s bootstrap marker`);
}
