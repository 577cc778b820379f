// A claim is a user's hold on one tenant, pending until a tenant is assigned, active until released or expired.
export const claimStates = ['pending', 'active', 'released', 'expired', 'cancelled'] as const;
export type ClaimState = (typeof claimStates)[number];

export interface Claim {
  id: string;
  userId: string;
  labId: string;
  kubernetesVersion: string;
  state: ClaimState;
  tenantId?: string;
  /** Monotonic arrival order: pending claims are served strictly by this. */
  requestedAt: Date;
  activatedAt?: Date;
  expiresAt?: Date;
  endedAt?: Date;
  extendedMinutes: number;
  apiKeyId?: string;
}

export function isLiveClaim(state: ClaimState): boolean {
  return state === 'pending' || state === 'active';
}

export interface AccessSettings {
  sshHostTemplate: string;
  sshPort: number;
}

/** How the owner of an active claim reaches its tenant: addresses only, never credentials. */
export function renderAccess(namespace: string, claimId: string, settings: AccessSettings) {
  return {
    ssh: { host: settings.sshHostTemplate.replace('{namespace}', namespace), port: settings.sshPort, user: 'student' },
    kubeconfig: { path: `/v1/claims/${claimId}/kubeconfig` },
  };
}
