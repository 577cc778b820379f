// I/O only: what the syncer needs to know about one tenant on the host side: its state and namespace in MongoDB, the
// credentials for its cluster (from the tenant-kubeconfig Secret: the admin certificate and the CA certificate, never
// the CA's key in tenant-pki), and the Services and Ingresses in its host namespace, split into the syncer's own and
// everybody else's (which it never touches).
import { parse } from 'yaml';
import { kubeconfigSecretKey, tenantSecretNames, type LabExposure } from '@kubelabs/domain';
import type { KubeClient, KubeObject } from '@kubelabs/kube';
import { labFromDocument, type Persistence } from '@kubelabs/persistence';
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
): Promise<{ state: string; namespace: string; labId: string } | null> {
  const tenant = await db.tenants.findById(tenantId, { state: 1, namespace: 1, labId: 1 }).lean().exec();
  return tenant ? { state: tenant.state, namespace: tenant.namespace, labId: tenant.labId } : null;
}

/** The lab's own exposure limits (catalog `exposure`), if it sets any. */
export async function observeLabExposure(db: Persistence, labId: string): Promise<LabExposure | undefined> {
  const lab = await db.labs.findById(labId).lean().exec();
  return lab ? labFromDocument(lab).exposure : undefined;
}

export interface TenantAdminCredentials {
  caCertificatePem: string;
  adminCertificatePem: string;
  adminKeyPem: string;
}

function decode(value: string | undefined): string | undefined {
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

/** Pure: the CA and admin credentials inside a kubeconfig's first cluster and user; undefined when missing. */
export function readKubeconfigCredentials(yaml: string): TenantAdminCredentials | undefined {
  const document = parse(yaml) as {
    clusters?: { cluster?: Record<string, string> }[];
    users?: { user?: Record<string, string> }[];
  } | null;
  const cluster = document?.clusters?.[0]?.cluster;
  const user = document?.users?.[0]?.user;
  const caCertificatePem = decode(cluster?.['certificate-authority-data']);
  const adminCertificatePem = decode(user?.['client-certificate-data']);
  const adminKeyPem = decode(user?.['client-key-data']);
  return caCertificatePem && adminCertificatePem && adminKeyPem
    ? { caCertificatePem, adminCertificatePem, adminKeyPem }
    : undefined;
}

export async function observeTenantCredentials(
  kube: KubeClient,
  namespace: string,
): Promise<TenantAdminCredentials | undefined> {
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name: tenantSecretNames.kubeconfig,
  });
  const yaml = secret?.data?.[kubeconfigSecretKey];
  return yaml ? readKubeconfigCredentials(Buffer.from(yaml, 'base64').toString('utf8')) : undefined;
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
