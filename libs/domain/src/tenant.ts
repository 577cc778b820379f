// A tenant is one provisioned lab environment (a namespace with the VMs of a small kubeadm cluster).
export const tenantStates = ['provisioning', 'ready', 'claimed', 'releasing', 'deleted', 'failed'] as const;
export type TenantState = (typeof tenantStates)[number];

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: Date;
}

export interface Tenant {
  id: string;
  labId: string;
  kubernetesVersion: string;
  namespace: string;
  state: TenantState;
  claimId?: string;
  step?: string;
  failureReason?: string;
  createdAt: Date;
  provisioningDeadline: Date;
  readyAt?: Date;
  claimedAt?: Date;
  releasedAt?: Date;
  deletedAt?: Date;
  /** Why the tenant is being released, and by which claim: the `tenant.released` fact to announce (an outbox). */
  releaseReason?: string;
  releaseClaimId?: string;
  /** Set once `tenant.released` is on the stream; until then the claims repair announces it. */
  releaseAnnouncedAt?: Date;
  conditions: Condition[];
}

/** Namespace names are bounded by DNS-1123 label rules (63 characters). */
export function tenantNamespace(tenantId: string): string {
  return `kubelabs-${tenantId}`.slice(0, 63);
}
