// I/O only: makes the host hold exactly the planned objects of one tenant (apply what differs, delete the syncer's own
// objects that are no longer planned, never anything else), then writes back on each tenant object what became of it
// (annotations, a LoadBalancer's status, a Warning event) and announces each change as `tenant.exposure.synced`.
// Each step is idempotent: a crash between host write and write-back is finished by the next pass.
import { tenantExposureSyncedFact } from '@kubelabs/contracts';
import { KubeApiError, type KubeClient, type KubeObject } from '@kubelabs/kube';
import type { EventPublisher } from '@kubelabs/messaging';
import type { OwnWrites } from '@kubelabs/reconcile';
import type { Counter } from 'prom-client';
import { matchesDesired } from './matches-desired';
import type { ObservedHost } from './observe-tenant-exposure';
import type { ExposureOutcome, ExposurePlan } from './plan-tenant-exposure';
import { eventName, renderWriteBack, type WriteBack } from './render-write-back';
import { writeBackAnnotations, type HostService, type TenantIngress, type TenantService } from './sync-objects';
import type { TenantClusterView } from './watch-tenant-clusters';

export interface ApplyExposureDeps {
  host: KubeClient;
  events: EventPublisher;
  publicHost: string;
  /** The syncer's writes on the host and in tenant clusters, so their watch echoes cost no pass. */
  hostWrites: OwnWrites;
  tenantWrites: OwnWrites;
  written: Counter<string>;
}

/** Writes in flight at once per tenant pass: a wave of new objects costs a few round trips, not one per object. */
const writeConcurrency = 8;

/** Runs `work` over `items`, at most `limit` at once; the first failure fails the whole (after the rest settle). */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item).catch((error: unknown) => void failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

export interface ApplyResult {
  /** Something is not settled yet (an address not allocated): look again soon. */
  recheck: boolean;
  /**
   * The host refused an object (its quota): look again after a while, since the quota controller frees what deleted
   * objects used only some time after they are gone, and nothing else would wake this tenant before the resync.
   */
  refused: boolean;
  outcomes: ExposureOutcome[];
}

/** A refusal by the host (quota, validation) is the tenant's to fix; anything else is retried. */
function refusedByHost(error: unknown): string | undefined {
  if (!(error instanceof KubeApiError)) return undefined;
  if (error.code === 'kube.invalid' || (error.code === 'kube.forbidden' && /quota/i.test(error.message)))
    return `the host refused it: ${error.message}`;
  return undefined;
}

export class ExposureApplier {
  constructor(private readonly deps: ApplyExposureDeps) {}

  async apply(
    tenant: { id: string; namespace: string },
    plan: ExposurePlan,
    observed: ObservedHost,
    view: TenantClusterView,
    tenantClient: KubeClient,
  ): Promise<ApplyResult> {
    const { host, hostWrites } = this.deps;
    const applied = new Map<string, KubeObject>();
    const outcomes = plan.outcomes.map((o) => ({ ...o }));
    let refused = false;
    await forEachBounded([...plan.services, ...plan.ingresses] as KubeObject[], writeConcurrency, async (object) => {
      const key = `${object.kind}/${object.metadata.name}`;
      const current = observed.owned.get(key);
      if (current && matchesDesired(object, current)) {
        applied.set(key, current as unknown as KubeObject);
        return;
      }
      try {
        const result = await host.apply(object);
        hostWrites.applied(result);
        applied.set(key, result);
        this.deps.written.inc({ kind: object.kind, action: current ? 'update' : 'create' });
      } catch (error) {
        const refusal = refusedByHost(error);
        if (!refusal) throw error;
        refused = true;
        const outcome = outcomes.find((o) => o.kind === object.kind && o.hostName === object.metadata.name);
        if (outcome) Object.assign(outcome, { state: 'rejected', reason: 'exposure.host_refused', message: refusal });
      }
    });
    // Prune: the syncer's own objects of this tenant that are no longer planned (or were refused on update).
    const stale = [...observed.owned].filter(
      ([key, object]) => !applied.has(key) && !object.metadata.deletionTimestamp,
    );
    await forEachBounded(stale, writeConcurrency, async ([, object]) => {
      hostWrites.deleted(object.metadata.uid);
      await host.delete({
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: tenant.namespace,
        name: object.metadata.name,
      });
      this.deps.written.inc({ kind: object.kind, action: 'delete' });
    });

    let recheck = false;
    const sources = new Map<string, TenantService | TenantIngress>();
    for (const s of view.services) sources.set(`Service/${s.metadata.namespace}/${s.metadata.name}`, s);
    for (const i of view.ingresses) sources.set(`Ingress/${i.metadata.namespace}/${i.metadata.name}`, i);
    const reported = new Set(outcomes.map((o) => `${o.kind}/${o.namespace}/${o.name}`));
    await forEachBounded(outcomes, writeConcurrency, async (outcome) => {
      const source = sources.get(`${outcome.kind}/${outcome.namespace}/${outcome.name}`);
      if (!source) return;
      const hostObject = applied.get(`${outcome.kind}/${outcome.hostName}`) as HostService | undefined;
      const writeBack = renderWriteBack(
        outcome,
        outcome.kind === 'Service' ? (source as TenantService) : undefined,
        hostObject,
        this.deps.publicHost,
      );
      if (outcome.kind === 'Service' && outcome.state === 'synced' && !writeBack.addresses) recheck = true;
      await this.writeBack(tenant.id, outcome, source, writeBack, tenantClient);
    });
    // Objects that carry the syncer's annotations but are no longer exposed (made ClusterIP): take them off.
    for (const [key, source] of sources) {
      if (reported.has(key) || source.metadata.annotations?.[writeBackAnnotations.state] === undefined) continue;
      const nulls = Object.fromEntries(Object.values(writeBackAnnotations).map((k) => [k, null]));
      await this.patch(tenantClient, source, key.split('/')[0]!, { metadata: { annotations: nulls } });
    }
    return { recheck, refused, outcomes };
  }

  private async writeBack(
    tenantId: string,
    outcome: ExposureOutcome,
    source: TenantService | TenantIngress,
    writeBack: WriteBack,
    client: KubeClient,
  ): Promise<void> {
    const current = source.metadata.annotations ?? {};
    const annotations: Record<string, string | null> = {};
    for (const key of Object.values(writeBackAnnotations)) {
      const wanted = writeBack.annotations[key];
      if (wanted !== undefined && current[key] !== wanted) annotations[key] = wanted;
      if (wanted === undefined && current[key] !== undefined) annotations[key] = null;
    }
    if (Object.keys(annotations).length > 0) {
      // Announce first: a crash before the write-back announces again under the same id (de-duplicated).
      await this.deps.events.publishFact(
        tenantExposureSyncedFact({
          tenantId,
          kind: outcome.kind,
          namespace: outcome.namespace,
          name: outcome.name,
          hostName: outcome.hostName,
          state: outcome.state,
          ...(outcome.uid ? { uid: outcome.uid } : {}),
          ...(outcome.reason ? { reason: outcome.reason } : {}),
          ...(outcome.message ? { message: outcome.message.slice(0, 2000) } : {}),
          ...(writeBack.addresses ? { addresses: writeBack.addresses } : {}),
          ...(outcome.hosts ? { hosts: outcome.hosts } : {}),
        }),
      );
      if (writeBack.event) await this.recordEvent(client, outcome, source, writeBack.event);
      await this.patch(client, source, outcome.kind, { metadata: { annotations } });
    }
    if (writeBack.loadBalancerIngress) {
      const now = (source as TenantService).status?.loadBalancer?.ingress ?? [];
      if (!matchesDesired(writeBack.loadBalancerIngress, now))
        await this.patch(
          client,
          source,
          'Service',
          { status: { loadBalancer: { ingress: writeBack.loadBalancerIngress } } },
          'status',
        );
    }
  }

  private async patch(
    client: KubeClient,
    source: TenantService | TenantIngress,
    kind: string,
    body: unknown,
    subresource?: 'status',
  ): Promise<void> {
    const patched = await client.mergePatch(
      {
        apiVersion: kind === 'Service' ? 'v1' : 'networking.k8s.io/v1',
        kind,
        namespace: source.metadata.namespace,
        name: source.metadata.name,
      },
      body,
      subresource ? { subresource } : {},
    );
    if (patched) this.deps.tenantWrites.applied(patched);
  }

  /** A Warning event on the tenant object; its name is stable per message, so writing it again changes nothing. */
  private async recordEvent(
    client: KubeClient,
    outcome: ExposureOutcome,
    source: TenantService | TenantIngress,
    event: { reason: string; message: string },
  ): Promise<void> {
    const now = new Date().toISOString();
    await client.apply({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(outcome.name, event.message), namespace: outcome.namespace },
      involvedObject: {
        apiVersion: outcome.kind === 'Service' ? 'v1' : 'networking.k8s.io/v1',
        kind: outcome.kind,
        namespace: outcome.namespace,
        name: outcome.name,
        ...(source.metadata.uid ? { uid: source.metadata.uid } : {}),
      },
      reason: event.reason,
      message: event.message.slice(0, 1024),
      type: 'Warning',
      source: { component: 'kubelabs-syncer' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as KubeObject);
  }
}
