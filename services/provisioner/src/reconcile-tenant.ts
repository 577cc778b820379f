// The provisioner's reconciler: given a tenant id (never an event), make the host cluster match the tenant's state in
// MongoDB. provisioning → apply the manifests once, then watch VMs and the tenant API until ready or failed;
// claimed → the student's SSH key is in place; releasing → the namespace is deleted, and once it is gone the tenant is.
import { Logger } from '@nestjs/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import { stableUuid, tenantNamespace } from '@kubelabs/domain';
import type { KubeClient } from '@kubelabs/kube';
import type { EventPublisher } from '@kubelabs/messaging';
import { labFromDocument, type Persistence, type TenantDocument } from '@kubelabs/persistence';
import { computeTenantReadiness, type VmStatusView } from './compute-tenant-readiness';
import {
  parseTenantPkiData,
  planTenantCredentials,
  renderKubeconfig,
  tenantPkiSecretName,
  type TenantCredentials,
} from './credentials';
import { observeTenantNodes } from './observe-tenant-cluster';
import { controlPlaneVmName, renderSshAuthorizedKeysSecret, renderTenant, workerVmName } from './render';

export const kubeconfigSecretName = 'tenant-kubeconfig';

export const platformLabel = 'kubelabs.io/platform';

export interface ReconcileSettings {
  platformId: string;
  tenantApiUrlTemplate: string;
  tenantApiPublicUrlTemplate: string;
}

type SecretObject = KubernetesObject & { data?: Record<string, string> };
type VmObject = KubernetesObject & { status?: Omit<VmStatusView, 'name'> };

export class TenantReconciler {
  private readonly logger = new Logger('TenantReconciler');
  /** Tenants whose student key is in place, by claim (a restart forgets it and applies once more: harmless). */
  private readonly keysApplied = new Map<string, string>();

  constructor(
    private readonly db: Persistence,
    private readonly kube: KubeClient,
    private readonly events: EventPublisher,
    private readonly settings: ReconcileSettings,
  ) {}

  async reconcile(tenantId: string, now = new Date()): Promise<void> {
    const tenant = (await this.db.tenants.findById(tenantId).lean().exec()) as TenantDocument | null;
    if (!tenant) return; // gone is success
    switch (tenant.state) {
      case 'provisioning':
        return now >= tenant.provisioningDeadline
          ? this.fail(tenant, 'provision.timeout', 'the tenant was not ready before its provisioning deadline')
          : this.provision(tenant, now);
      case 'claimed':
        return this.ensureStudentKey(tenant);
      case 'releasing':
        return this.teardown(tenant, now);
      default:
        return;
    }
  }

  private async provision(tenant: TenantDocument, now: Date): Promise<void> {
    const labDoc = await this.db.labs.findById(tenant.labId).lean().exec();
    if (!labDoc) return this.fail(tenant, 'lab.not_found', `lab ${tenant.labId} is no longer in the catalog`);
    const lab = labFromDocument(labDoc);
    const credentials = await this.credentialsOf(tenant, now);
    // Until every object is applied (step 'virtual-machines'), a pass applies them all again: a crash mid-way is harmless.
    if (tenant.step === undefined || tenant.step === 'requested' || tenant.step === 'namespace') {
      const objects = renderTenant(
        lab,
        { id: tenant._id, labId: tenant.labId, kubernetesVersion: tenant.kubernetesVersion },
        { credentials },
      ).map((object) => this.withPlatformLabel(object));
      const [namespace, ...rest] = objects;
      await this.kube.apply(namespace as never);
      await this.reportStep(tenant, 'namespace', `namespace ${tenant.namespace} applied`);
      for (const object of rest) await this.kube.apply(object as never);
      await this.kube.apply(this.withPlatformLabel(this.renderKubeconfigSecret(tenant, credentials)) as never);
      await this.reportStep(tenant, 'virtual-machines', `${1 + lab.topology.workers.count} virtual machines applied`);
      await this.reportStep(tenant, 'booting', 'waiting for the virtual machines to boot');
      return;
    }
    const expected = [
      controlPlaneVmName(tenant._id),
      ...Array.from({ length: lab.topology.workers.count }, (_, i) => workerVmName(tenant._id, i + 1)),
    ];
    const vms = await this.kube.list<VmObject>('kubevirt.io/v1', 'VirtualMachine', { namespace: tenant.namespace });
    const views = vms.map((vm) => ({ name: vm.metadata?.name ?? '', ...vm.status }));
    const allRunning = expected.every((name) => views.find((v) => v.name === name)?.ready === true);
    const nodes = allRunning
      ? await observeTenantNodes(this.urlOf(this.settings.tenantApiUrlTemplate, tenant), credentials)
      : null;
    const readiness = computeTenantReadiness(expected, views, nodes);
    if (readiness.phase === 'failed') return this.fail(tenant, readiness.reason, readiness.message);
    if (readiness.phase === 'control-plane-ready')
      return this.reportStep(tenant, 'control-plane-ready', readiness.message);
    if (readiness.phase === 'ready') {
      await this.reportStep(tenant, 'nodes-ready', readiness.message);
      const result = await this.db.tenants
        .updateOne({ _id: tenant._id, state: 'provisioning' }, { $set: { state: 'ready', readyAt: now } })
        .exec();
      if (result.modifiedCount === 1) {
        await this.events.publish(
          'tenant.ready',
          {
            tenantId: tenant._id,
            labId: tenant.labId,
            kubernetesVersion: tenant.kubernetesVersion,
            namespace: tenant.namespace,
            readyAt: now.toISOString(),
          },
          { subject: tenant._id, id: stableUuid(`ready:${tenant._id}`) },
        );
      }
    }
  }

  /** The tenant-pki Secret is the one durable copy of the credentials: read it back, mint only when it is absent. */
  private async credentialsOf(tenant: TenantDocument, now: Date): Promise<TenantCredentials> {
    const secret = await this.kube.get<SecretObject>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: tenant.namespace,
      name: tenantPkiSecretName,
    });
    return secret?.data ? parseTenantPkiData(secret.data) : planTenantCredentials({ now });
  }

  private renderKubeconfigSecret(tenant: TenantDocument, credentials: TenantCredentials): KubernetesObject {
    const kubeconfig = renderKubeconfig(credentials, this.urlOf(this.settings.tenantApiPublicUrlTemplate, tenant));
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: kubeconfigSecretName,
        namespace: tenant.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'kubelabs', 'kubelabs.io/tenant': tenant._id },
      },
      type: 'Opaque',
      data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
    } as KubernetesObject;
  }

  /** Puts the claim's SSH public key (once per claim: remembered after success) into the Secret that KubeVirt's guest agent propagates to the VMs. */
  private async ensureStudentKey(tenant: TenantDocument): Promise<void> {
    if (!tenant.claimId || this.keysApplied.get(tenant._id) === tenant.claimId) return;
    const claim = await this.db.claims.findById(tenant.claimId, { sshPublicKey: 1 }).lean().exec();
    if (!claim?.sshPublicKey) return;
    // Server-side apply of an unchanged Secret is a no-op, so there is nothing to read first.
    await this.kube.apply(
      this.withPlatformLabel(
        renderSshAuthorizedKeysSecret(
          { id: tenant._id, labId: tenant.labId, kubernetesVersion: tenant.kubernetesVersion },
          [claim.sshPublicKey],
        ),
      ) as never,
    );
    if (this.keysApplied.size > 10_000) this.keysApplied.clear();
    this.keysApplied.set(tenant._id, tenant.claimId);
  }

  private async teardown(tenant: TenantDocument, now: Date): Promise<void> {
    const namespace = tenant.namespace ?? tenantNamespace(tenant._id);
    const existing = await this.kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    if (existing) {
      if (!existing.metadata?.deletionTimestamp)
        await this.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
      return; // the namespace controller finishes it; the next pass sees it gone
    }
    const result = await this.db.tenants
      .updateOne(
        { _id: tenant._id, state: 'releasing' },
        { $set: { state: 'deleted', deletedAt: now }, $unset: { claimId: 1 } },
      )
      .exec();
    if (result.modifiedCount === 1) {
      await this.events.publish(
        'tenant.deleted',
        {
          tenantId: tenant._id,
          labId: tenant.labId,
          kubernetesVersion: tenant.kubernetesVersion,
          namespace,
          deletedAt: now.toISOString(),
        },
        { subject: tenant._id, id: stableUuid(`deleted:${tenant._id}`) },
      );
    }
  }

  private async fail(tenant: TenantDocument, reason: string, message: string): Promise<void> {
    const result = await this.db.tenants
      .updateOne({ _id: tenant._id, state: 'provisioning' }, { $set: { state: 'failed', failureReason: reason } })
      .exec();
    if (result.modifiedCount === 0) return;
    this.logger.warn({ tenant: tenant._id, reason, message }, 'tenant failed');
    await this.events.publish(
      'tenant.failed',
      {
        tenantId: tenant._id,
        labId: tenant.labId,
        kubernetesVersion: tenant.kubernetesVersion,
        reason,
        message: message.slice(0, 500),
      },
      { subject: tenant._id, id: stableUuid(`failed:${tenant._id}`) },
    );
  }

  /** Records and announces a provisioning step once (a conditional write on the step guards the event). */
  private async reportStep(tenant: TenantDocument, step: string, message: string): Promise<void> {
    const result = await this.db.tenants
      .updateOne({ _id: tenant._id, state: 'provisioning', step: { $ne: step } }, { $set: { step } })
      .exec();
    if (result.modifiedCount === 0) return;
    tenant.step = step;
    await this.events.publish(
      'tenant.provisioning',
      { tenantId: tenant._id, labId: tenant.labId, kubernetesVersion: tenant.kubernetesVersion, step, message },
      { subject: tenant._id, id: stableUuid(`step:${tenant._id}:${step}`) },
    );
  }

  /** Every object (and each VM's instance template) carries the platform instance's label. */
  private withPlatformLabel<T extends KubernetesObject>(object: T): T {
    const labelled = {
      ...object,
      metadata: {
        ...object.metadata,
        labels: { ...object.metadata?.labels, [platformLabel]: this.settings.platformId },
      },
    };
    const template = (labelled as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec
      ?.template;
    if (object.kind === 'VirtualMachine' && template) {
      template.metadata = {
        ...template.metadata,
        labels: { ...template.metadata?.labels, [platformLabel]: this.settings.platformId },
      };
    }
    return labelled as T;
  }

  private urlOf(template: string, tenant: TenantDocument): string {
    return template.replaceAll('{namespace}', tenant.namespace);
  }
}
