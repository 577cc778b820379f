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

/** What the outside world may reach of a claimed tenant, as the network-policy enforcer last applied it. */
export interface TenantExposure {
  state: 'open' | 'closed';
  /** The claim it was opened for. */
  claimId?: string;
  /** Public host name or address of the endpoints (the host nodes' or the load balancer's). */
  host?: string;
  sshPort?: number;
  apiPort?: number;
  changedAt: Date;
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
  /** When the network-policy enforcer first applied the tenant's baseline policies. */
  isolatedAt?: Date;
  exposure?: TenantExposure;
  conditions: Condition[];
}

/** Namespace names are bounded by DNS-1123 label rules (63 characters). */
export function tenantNamespace(tenantId: string): string {
  return `kubelabs-${tenantId}`.slice(0, 63);
}
