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

/** What the network-policy enforcer opened for a claim: the public endpoints of SSH and the tenant API. */
export interface OpenedExposure {
  state: 'open' | 'closed';
  claimId?: string;
  host?: string;
  sshPort?: number;
  apiPort?: number;
}

export const studentLogin = 'student';

/**
 * How the owner of an active claim reaches its tenant from outside: addresses only, never credentials. `opening` until
 * the enforcer has opened this claim's exposure; then the public SSH endpoint (with a command line to paste) and the
 * API server URL the served kubeconfig points at.
 */
export function renderAccess(claimId: string, exposure: OpenedExposure | undefined) {
  const kubeconfig = { path: `/v1/claims/${claimId}/kubeconfig` };
  if (
    exposure?.state !== 'open' ||
    exposure.claimId !== claimId ||
    !exposure.host ||
    exposure.sshPort === undefined ||
    exposure.apiPort === undefined
  )
    return { state: 'opening' as const, kubeconfig };
  const { host, sshPort, apiPort } = exposure;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    state: 'open' as const,
    ssh: { host, port: sshPort, user: studentLogin, command: `ssh -p ${sshPort} ${studentLogin}@${host}` },
    api: { host, port: apiPort, server: `https://${hostInUrl}:${apiPort}` },
    kubeconfig,
  };
}
