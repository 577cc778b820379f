// I/O only: what the syncer needs to know about one tenant on the host side: its state and namespace in MongoDB, the
// credentials for its cluster (the tenant-pki Secret), and the Services and Ingresses in its host namespace, split into
// the syncer's own and everybody else's (which it never touches).
import { parseTenantPkiData, tenantSecretNames, type TenantCredentials } from '@kubelabs/domain';
import type { KubeClient, KubeObject } from '@kubelabs/kube';
import type { Persistence } from '@kubelabs/persistence';
import { componentLabel, hostKinds, syncerComponent, type HostIngress, type HostService } from './sync-objects';
import { labelKeys } from '@kubelabs/domain';

export interface ObservedHost {
  /** The syncer's own host objects of this tenant, by `Kind/name`. */
  owned: Map<string, HostService | HostIngress>;
  /** `Kind/name` of every other Service and Ingress in the namespace. */
  foreign: Set<string>;
}

export async function observeTenant(
  db: Persistence,
  tenantId: string,
): Promise<{ state: string; namespace: string } | null> {
  const tenant = await db.tenants.findById(tenantId, { state: 1, namespace: 1 }).lean().exec();
  return tenant ? { state: tenant.state, namespace: tenant.namespace } : null;
}

export async function observeTenantCredentials(
  kube: KubeClient,
  namespace: string,
): Promise<TenantCredentials | undefined> {
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name: tenantSecretNames.pki,
  });
  return secret ? parseTenantPkiData(secret.data) : undefined;
}

export async function observeHostExposure(
  kube: KubeClient,
  namespace: string,
  platformId: string,
  tenantId: string,
): Promise<ObservedHost> {
  const owned = new Map<string, HostService | HostIngress>();
  const foreign = new Set<string>();
  const lists = await Promise.all(
    hostKinds.map(({ apiVersion, kind }) => kube.list<KubeObject>(apiVersion, kind, { namespace })),
  );
  lists.forEach((items, index) => {
    const { apiVersion, kind } = hostKinds[index]!;
    for (const item of items) {
      const labels = item.metadata.labels ?? {};
      const key = `${kind}/${item.metadata.name}`;
      const ours =
        labels[componentLabel] === syncerComponent &&
        labels[labelKeys.platform] === platformId &&
        labels[labelKeys.tenant] === tenantId;
      // A list's items carry no apiVersion/kind: put them back from the kind that was listed.
      if (ours) owned.set(key, { ...item, apiVersion, kind } as unknown as HostService | HostIngress);
      else foreign.add(key);
    }
  });
  return { owned, foreign };
}
