// I/O only: the tenant as MongoDB holds it, its lab's topology, whether its namespace exists, and the enforcer's own
// objects now in that namespace, grouped by object set.
import { labelKeys, type Lab } from '@kubelabs/domain';
import type { KubeClient, KubeObject } from '@kubelabs/kube';
import { labFromDocument, type Persistence, type TenantDocument } from '@kubelabs/persistence';
import type { ObjectSetName, ObservedIsolation } from './plan-tenant-isolation';
import { enforcerKinds, enforcerSelector } from './enforcer-selectors';
import { enforcerLabelKeys } from './render';

export interface IsolationSnapshot {
  observed: ObservedIsolation;
  tenant: TenantDocument;
  lab: Lab | null;
}

export async function observeTenantIsolation(
  db: Persistence,
  kube: KubeClient,
  platformId: string,
  tenantId: string,
): Promise<IsolationSnapshot | null> {
  const tenant = (await db.tenants.findById(tenantId).lean().exec()) as TenantDocument | null;
  if (!tenant) return null;
  // A tenant on its way out whose exposure is closed needs nothing: the namespace's deletion takes the rest (and the
  // watch events of that deletion cost one MongoDB read each, not a round of API reads).
  const live = ['provisioning', 'ready', 'claimed'].includes(tenant.state);
  if (!live && tenant.exposure?.state !== 'open') return null;
  const [labDoc, namespace] = await Promise.all([
    db.labs.findById(tenant.labId).lean().exec(),
    kube.get({ apiVersion: 'v1', kind: 'Namespace', name: tenant.namespace }),
  ]);
  const existing: Record<ObjectSetName, KubeObject[]> = { baseline: [], quota: [], exposure: [] };
  const namespaceExists = !!namespace && !namespace.metadata?.deletionTimestamp;
  if (namespaceExists) {
    const lists = await Promise.all(
      enforcerKinds.map(({ apiVersion, kind }) =>
        kube.list<KubeObject>(apiVersion, kind, {
          namespace: tenant.namespace,
          labelSelector: enforcerSelector(platformId, tenant._id),
        }),
      ),
    );
    lists.forEach((items, index) => {
      for (const item of items) {
        // A list's items carry no apiVersion/kind: put them back from the kind that was listed.
        const object = { ...item, apiVersion: enforcerKinds[index]!.apiVersion, kind: enforcerKinds[index]!.kind };
        const set = object.metadata.labels?.[enforcerLabelKeys.objectSet] as ObjectSetName | undefined;
        if (set && set in existing) existing[set].push(object);
      }
    });
  }
  return {
    observed: {
      tenant: {
        id: tenant._id,
        namespace: tenant.namespace,
        state: tenant.state,
        ...(tenant.claimId ? { claimId: tenant.claimId } : {}),
        ...(tenant.isolatedAt ? { isolatedAt: tenant.isolatedAt } : {}),
        ...(tenant.exposure ? { exposure: tenant.exposure } : {}),
      },
      namespaceExists,
      existing,
    },
    tenant,
    lab: labDoc ? labFromDocument(labDoc) : null,
  };
}

/** The tenant id an enforcer object (or a tenant namespace) belongs to. */
export function tenantOf(object: { metadata?: { labels?: Record<string, string> } }): string | undefined {
  return object.metadata?.labels?.[labelKeys.tenant];
}
