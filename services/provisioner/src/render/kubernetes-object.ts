// The shape every renderer returns, and the ownership labels that let the platform find, select and garbage-collect
// what it applied: every object of a tenant carries them.
import { labelKeys, managedByValue, type Lab, type Tenant } from '@kubelabs/domain';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A manifest ready for server-side apply; structurally a `@kubernetes/client-node` KubernetesObject. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export { labelKeys, managedByValue } from '@kubelabs/domain';

export type TenantRef = Pick<Tenant, 'id' | 'labId' | 'kubernetesVersion'>;

export function ownershipLabels(
  tenant: TenantRef,
  lab: Pick<Lab, 'id'> = { id: tenant.labId },
): Record<string, string> {
  return {
    [labelKeys.managedBy]: managedByValue,
    [labelKeys.tenant]: tenant.id,
    [labelKeys.lab]: lab.id,
    [labelKeys.kubernetesVersion]: tenant.kubernetesVersion,
  };
}
