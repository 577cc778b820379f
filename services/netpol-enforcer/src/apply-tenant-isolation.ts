// I/O only: applies a tenant's object sets (each pruned to exactly its desired objects), records the first isolation,
// reads back the exposure Service's public ports, and announces what changed: `tenant.exposure.opened` / `.closed`
// once per change (a conditional write guards each), `tenant.policy.restored` when objects edited or deleted by hand
// were put back.
import { tenantExposureClosedFact, tenantExposureOpenedFact, tenantPolicyRestoredFact } from '@kubelabs/contracts';
import type { TenantExposure } from '@kubelabs/domain';
import type { KubeClient, KubeObject } from '@kubelabs/kube';
import type { EventPublisher } from '@kubelabs/messaging';
import type { TenantStore } from '@kubelabs/persistence';
import type { OwnWrites } from '@kubelabs/reconcile';
import type { Counter } from 'prom-client';
import type { IsolationSnapshot } from './observe-tenant-isolation';
import type { IsolationPlan } from './plan-tenant-isolation';

export interface ApplyIsolationDeps {
  kube: KubeClient;
  store: TenantStore;
  events: EventPublisher;
  /** Public host name or address for NodePort exposure (the host nodes'); LoadBalancer exposure reads its ingress. */
  publicHost: string;
  /** Its own writes, so the watches that see them do not trigger another pass. */
  ownWrites: OwnWrites;
  restored: Counter<string>;
}

type ServiceObject = KubeObject & {
  spec?: { type?: string; ports?: { name?: string; port: number; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
};

/** Where the outside reaches SSH and the tenant API through the exposure Service; null while not yet known. */
export function readExposureEndpoint(
  service: ServiceObject,
  publicHost: string,
): { host: string; sshPort: number; apiPort: number } | null {
  const port = (name: string) => service.spec?.ports?.find((p) => p.name === name);
  const ssh = port('ssh');
  const api = port('kube-api');
  if (!ssh || !api) return null;
  if (service.spec?.type === 'LoadBalancer') {
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const host = ingress?.hostname ?? ingress?.ip;
    return host ? { host, sshPort: ssh.port, apiPort: api.port } : null;
  }
  return ssh.nodePort && api.nodePort ? { host: publicHost, sshPort: ssh.nodePort, apiPort: api.nodePort } : null;
}

export class IsolationApplier {
  constructor(private readonly deps: ApplyIsolationDeps) {}

  /** Returns true when the exposure should be looked at again soon (a load balancer still without its address). */
  async apply(snapshot: IsolationSnapshot, plan: IsolationPlan, now: Date): Promise<boolean> {
    const { kube, store, events } = this.deps;
    const tenant = snapshot.observed.tenant;
    let exposureService: ServiceObject | undefined;
    for (const { set, toApply, toPrune } of plan.apply) {
      // Only what differs from what was observed: a pass over a tenant that is as it should be writes nothing.
      for (const object of toApply) {
        const applied = await kube.apply(object);
        this.deps.ownWrites.applied(applied);
        if (set === 'exposure' && applied.kind === 'Service') exposureService = applied as ServiceObject;
      }
      for (const object of toPrune) {
        this.deps.ownWrites.deleted(object.metadata.uid);
        await kube.delete({
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: tenant.namespace,
        });
      }
    }
    exposureService ??= snapshot.observed.existing.exposure.find((o) => o.kind === 'Service') as
      ServiceObject | undefined;
    if (plan.markIsolated && plan.apply.some((a) => a.set === 'baseline')) await store.markIsolated(tenant.id, now);
    if (plan.drifted.length > 0) {
      this.deps.restored.inc(plan.drifted.length);
      await events.publishFact(
        tenantPolicyRestoredFact({ tenantId: tenant.id, objects: plan.drifted.slice(0, 64), restoredAt: now }),
      );
    }
    if (plan.exposure === 'open' && tenant.claimId) {
      const endpoint = exposureService ? readExposureEndpoint(exposureService, this.deps.publicHost) : null;
      if (!endpoint) return true;
      const exposure: TenantExposure = { state: 'open', claimId: tenant.claimId, ...endpoint, changedAt: now };
      if (await store.recordExposure(tenant.id, exposure))
        await events.publishFact(
          tenantExposureOpenedFact({
            tenantId: tenant.id,
            claimId: tenant.claimId,
            host: endpoint.host,
            ports: [endpoint.sshPort, endpoint.apiPort],
          }),
        );
    } else if (plan.exposure === 'closed' && tenant.exposure?.state === 'open') {
      const before = tenant.exposure;
      const closed: TenantExposure = {
        state: 'closed',
        ...(before.claimId ? { claimId: before.claimId } : {}),
        changedAt: now,
      };
      if (await store.recordExposure(tenant.id, closed))
        await events.publishFact(
          tenantExposureClosedFact({
            tenantId: tenant.id,
            ...(before.claimId ? { claimId: before.claimId } : {}),
            ports: [before.sshPort, before.apiPort].filter((p): p is number => typeof p === 'number'),
          }),
        );
    }
    return false;
  }
}
