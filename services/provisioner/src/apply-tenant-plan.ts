// I/O only: carries out a tenant plan's actions in order, each idempotent: server-side apply of the desired objects,
// conditional writes through the TenantStore, and each fact once (the write that changed the state announces it).
// Applying is skipped for an object whose exact content was applied recently, so a pass triggered by an event costs
// nothing when nothing changed; past `reapplyAfterMs` every object is applied again, which restores one deleted or
// edited by hand.
import { createHash } from 'node:crypto';
import { tenantDeletedFact, tenantFailedFact, tenantProvisioningFact, tenantReadyFact } from '@kubelabs/contracts';
import { tenantSecretNames } from '@kubelabs/domain';
import type { KubeClient, KubeObject } from '@kubelabs/kube';
import type { EventPublisher } from '@kubelabs/messaging';
import type { TenantStore } from '@kubelabs/persistence';
import { planTenantCredentials } from './credentials';
import type { TenantSnapshot } from './observe-tenant';
import type { TenantAction } from './plan-tenant';
import type { RenderTenantOptions } from './render';
import { renderDesiredObjects } from './render-desired';

export interface ApplyTenantDeps {
  kube: KubeClient;
  store: TenantStore;
  events: EventPublisher;
  platformId: string;
  tenantApiPublicUrlTemplate: string;
  /** The render settings from config (the VMs' default bandwidth). */
  renderOptions?: RenderTenantOptions;
  /** An unchanged object is applied again after this long (under one resync period). */
  reapplyAfterMs: number;
}

/** What was last applied per tenant and object: content hash and when. Bounded by the live tenants. */
export class AppliedObjects {
  private readonly byTenant = new Map<string, Map<string, { hash: string; at: number }>>();

  isFresh(tenantId: string, identity: string, hash: string, now: number, maxAgeMs: number): boolean {
    const entry = this.byTenant.get(tenantId)?.get(identity);
    return entry !== undefined && entry.hash === hash && now - entry.at < maxAgeMs;
  }

  remember(tenantId: string, identity: string, hash: string, now: number): void {
    let objects = this.byTenant.get(tenantId);
    if (!objects) this.byTenant.set(tenantId, (objects = new Map()));
    objects.set(identity, { hash, at: now });
  }

  forget(tenantId: string): void {
    this.byTenant.delete(tenantId);
  }

  get tenants(): number {
    return this.byTenant.size;
  }
}

export class TenantPlanApplier {
  constructor(
    private readonly deps: ApplyTenantDeps,
    private readonly applied: AppliedObjects,
  ) {}

  async apply(snapshot: TenantSnapshot, actions: TenantAction[], now: Date): Promise<void> {
    let desired: KubeObject[] | undefined;
    for (const action of actions) {
      switch (action.type) {
        case 'apply': {
          desired ??= await this.render(snapshot, action.mintCredentials, now);
          // The namespace step also stores the freshly minted credentials, so a tenant waiting for its isolation
          // reads them back on every later pass instead of minting (and rendering for) new ones each time.
          const objects =
            action.scope === 'namespace'
              ? desired.filter((o, i) => i === 0 || (o.kind === 'Secret' && o.metadata.name === tenantSecretNames.pki))
              : desired;
          await this.applyObjects(snapshot.tenant._id, objects);
          break;
        }
        case 'record-step': {
          // Each bootstrap step a node reports is recorded (and announced) once: the stored step carries it.
          const recorded = action.bootstrap
            ? `${action.step}:${action.bootstrap.node}:${action.bootstrap.step}`
            : action.step;
          if (await this.deps.store.recordStep(snapshot.tenant._id, recorded))
            await this.deps.events.publishFact(
              tenantProvisioningFact({
                ...this.refOf(snapshot),
                step: action.step,
                message: action.message,
                ...(action.bootstrap ? { bootstrap: action.bootstrap } : {}),
              }),
            );
          break;
        }
        case 'mark-ready':
          if (await this.deps.store.markReady(snapshot.tenant._id, now))
            await this.deps.events.publishFact(
              tenantReadyFact({ ...this.refOf(snapshot), namespace: snapshot.tenant.namespace, readyAt: now }),
            );
          break;
        case 'fail':
          if (await this.deps.store.markFailed(snapshot.tenant._id, action.reason))
            await this.deps.events.publishFact(
              tenantFailedFact({ ...this.refOf(snapshot), reason: action.reason, message: action.message }),
            );
          return; // nothing after a failure
        case 'delete-namespace':
          await this.deps.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: snapshot.tenant.namespace });
          this.applied.forget(snapshot.tenant._id);
          break;
        case 'mark-deleted':
          this.applied.forget(snapshot.tenant._id);
          if (await this.deps.store.markDeleted(snapshot.tenant._id, now))
            await this.deps.events.publishFact(
              tenantDeletedFact({ ...this.refOf(snapshot), namespace: snapshot.tenant.namespace, deletedAt: now }),
            );
          break;
      }
    }
  }

  private refOf(snapshot: TenantSnapshot) {
    return {
      tenantId: snapshot.tenant._id,
      labId: snapshot.tenant.labId,
      kubernetesVersion: snapshot.tenant.kubernetesVersion,
    };
  }

  /** The desired objects; credentials are minted only when the plan says so (none exist yet). */
  private async render(snapshot: TenantSnapshot, mint: boolean, now: Date): Promise<KubeObject[]> {
    const credentials = snapshot.credentials ?? (mint ? await planTenantCredentials({ now }) : null);
    if (!credentials || !snapshot.lab) throw new Error(`tenant ${snapshot.tenant._id}: nothing to render from`);
    return renderDesiredObjects({
      lab: snapshot.lab,
      tenant: {
        id: snapshot.tenant._id,
        labId: snapshot.tenant.labId,
        kubernetesVersion: snapshot.tenant.kubernetesVersion,
        namespace: snapshot.tenant.namespace,
      },
      credentials,
      sshAuthorizedKeys: snapshot.sshAuthorizedKeys,
      platformId: this.deps.platformId,
      tenantApiPublicUrlTemplate: this.deps.tenantApiPublicUrlTemplate,
      renderOptions: this.deps.renderOptions,
    });
  }

  private async applyObjects(tenantId: string, objects: KubeObject[]): Promise<void> {
    for (const object of objects) {
      const identity = `${object.apiVersion}/${object.kind}/${object.metadata.name}`;
      const hash = createHash('sha256').update(JSON.stringify(object)).digest('base64url');
      const now = Date.now();
      if (this.applied.isFresh(tenantId, identity, hash, now, this.deps.reapplyAfterMs)) continue;
      await this.deps.kube.apply(object);
      this.applied.remember(tenantId, identity, hash, now);
    }
  }
}
