// I/O only: everything the provisioner plans one tenant from. The tenant and its lab from MongoDB, the tenant-pki
// Secret, and, depending on the state, the VMs' status and the tenant API's nodes (provisioning), the student's key
// (claimed) or the host namespace (releasing).
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  parseTenantPkiData,
  readinessChecksOf,
  tenantNodeNames,
  tenantSecretNames,
  type Lab,
  type TenantCredentials,
} from '@kubelabs/domain';
import type { KubeClient } from '@kubelabs/kube';
import { labFromDocument, type Persistence, type TenantDocument } from '@kubelabs/persistence';
import type { VmStatusView } from './compute-tenant-readiness';
import { observeReadinessChecks, observeTenantBootstrap, observeTenantNodes } from './observe-tenant-cluster';
import type { ObservedTenant } from './plan-tenant';
import { controlPlaneVmName, workerVmName } from './render';

/** The observed view the planner reads, with the raw inputs the applier renders from. */
export interface TenantSnapshot {
  observed: ObservedTenant;
  tenant: TenantDocument;
  lab: Lab | null;
  credentials: TenantCredentials | null;
  sshAuthorizedKeys: string[];
}

export interface ObserveTenantDeps {
  db: Persistence;
  kube: KubeClient;
  /** Where the provisioner reaches a tenant's API server; `{namespace}` is replaced. */
  tenantApiUrlTemplate: string;
  /** Where it reaches a tenant control plane's SSH (`host:port`), for ssh readiness checks; `{namespace}` is replaced. */
  tenantSshAddressTemplate: string;
}

type SecretObject = KubernetesObject & { data?: Record<string, string> };
type VmObject = KubernetesObject & { status?: Omit<VmStatusView, 'name'> };

const liveStates = new Set(['provisioning', 'ready', 'claimed']);

export async function observeTenant(deps: ObserveTenantDeps, tenantId: string): Promise<TenantSnapshot | null> {
  const { db, kube } = deps;
  const tenant = (await db.tenants.findById(tenantId).lean().exec()) as TenantDocument | null;
  if (!tenant) return null;
  const live = liveStates.has(tenant.state);
  const [labDoc, pki, claim] = await Promise.all([
    live ? db.labs.findById(tenant.labId).lean().exec() : null,
    live
      ? kube.get<SecretObject>({
          apiVersion: 'v1',
          kind: 'Secret',
          namespace: tenant.namespace,
          name: tenantSecretNames.pki,
        })
      : undefined,
    tenant.state === 'claimed' && tenant.claimId
      ? db.claims.findById(tenant.claimId, { sshPublicKey: 1 }).lean().exec()
      : null,
  ]);
  const lab = labDoc ? labFromDocument(labDoc) : null;
  let credentials: TenantCredentials | null = null;
  let credentialState: ObservedTenant['credentials'] = 'absent';
  if (pki?.data) {
    try {
      credentials = parseTenantPkiData(pki.data);
      credentialState = 'present';
    } catch {
      credentialState = 'malformed';
    }
  }
  const expectedVms = lab
    ? [
        controlPlaneVmName(tenant._id),
        ...Array.from({ length: lab.topology.workers.count }, (_, i) => workerVmName(tenant._id, i + 1)),
      ]
    : [];

  let vms: VmStatusView[] | null = null;
  let nodes: ObservedTenant['nodes'] = null;
  let bootstrap: ObservedTenant['bootstrap'] = null;
  let readiness: ObservedTenant['readiness'] = null;
  if (
    tenant.state === 'provisioning' &&
    lab &&
    credentials &&
    !['requested', 'namespace', undefined].includes(tenant.step)
  ) {
    const objects = await kube.list<VmObject>('kubevirt.io/v1', 'VirtualMachine', { namespace: tenant.namespace });
    vms = objects.map((vm) => ({ name: vm.metadata?.name ?? '', ...vm.status }));
    const allRunning = expectedVms.every((name) => vms!.find((vm) => vm.name === name)?.ready === true);
    const apiUrl = deps.tenantApiUrlTemplate.replaceAll('{namespace}', tenant.namespace);
    if (allRunning) nodes = await observeTenantNodes(apiUrl, credentials);
    if (nodes !== null) {
      const names = tenantNodeNames(lab.topology.workers.count);
      bootstrap = await observeTenantBootstrap(apiUrl, credentials, [names.controlPlane, ...names.workers]);
      // The lab's broken state is only meaningful once its setup ran: checks wait for the bootstrap's success.
      if (bootstrap?.state === 'succeeded')
        readiness = await observeReadinessChecks(
          { apiUrl, sshAddress: deps.tenantSshAddressTemplate.replaceAll('{namespace}', tenant.namespace) },
          credentials,
          readinessChecksOf(lab),
          lab.topology.workers.count,
        );
    }
  }

  let namespace: ObservedTenant['namespace'] = null;
  if (tenant.state === 'releasing') {
    const found = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: tenant.namespace });
    namespace = !found ? 'absent' : found.metadata?.deletionTimestamp ? 'terminating' : 'present';
  }

  return {
    observed: {
      id: tenant._id,
      state: tenant.state,
      ...(tenant.step !== undefined ? { step: tenant.step } : {}),
      provisioningDeadline: tenant.provisioningDeadline,
      isolated: tenant.isolatedAt !== undefined,
      lab,
      credentials: credentialState,
      expectedVms,
      vms,
      nodes,
      namespace,
      bootstrap,
      readiness,
      conditions: (tenant.conditions ?? []).map(({ type, status, reason, message }) => ({
        type,
        status,
        reason,
        message,
      })),
    },
    tenant,
    lab,
    credentials,
    sshAuthorizedKeys: claim?.sshPublicKey ? [claim.sshPublicKey] : [],
  };
}
