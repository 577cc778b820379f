// One builder per event fact: the only place a payload, its subject and its event id are made. The id is derived from
// what makes the fact itself (never drawn at random), so every service and every retry that announces the same fact
// publishes the same id and JetStream keeps one copy.
import { poolKey, stableUuid } from '@kubelabs/domain';
import type {
  ClaimCancelled,
  ClaimChecked,
  ClaimExtended,
  ClaimRequested,
  EventPayloads,
  PoolCapacityShort,
  TenantClaimed,
  TenantDeleted,
  TenantExpiring,
  TenantExposureClosed,
  TenantExposureOpened,
  TenantExposureSynced,
  TenantPolicyRestored,
  TenantFailed,
  TenantProvisioning,
  TenantProvisionRequested,
  TenantReady,
  TenantReleased,
} from './generated/contract-types';
import type { EventType } from './validate-message';

/** What a publisher needs to put one fact on the wire: the envelope's type, subject and id, and the payload. */
export interface Fact<T extends EventType = EventType> {
  type: T;
  data: EventPayloads[T];
  /** The entity the fact is about (envelope `subject`): a tenant, claim or pool id. */
  subject: string;
  /** Envelope id and JetStream message id: the same for every publish of this fact. */
  id: string;
}

/** Any one fact, its type and payload kept together (a port that publishes whatever it is given takes this). */
export type AnyFact = { [T in EventType]: Fact<T> }[EventType];

/** A payload's timestamp fields taken as Dates: the builder writes them in the one wire format. */
type WithDates<P, K extends keyof P> = Omit<P, K> & { [Key in K]: Date };

function fact<T extends EventType>(type: T, data: EventPayloads[T], subject: string, idName: string): Fact<T> {
  return { type, data, subject, id: stableUuid(idName) };
}

/** The pool manager wants a new tenant; one per tenant. */
export function tenantProvisionRequestedFact(
  input: WithDates<TenantProvisionRequested, 'requestedAt' | 'deadline'>,
): Fact<'tenant.provision.requested'> {
  const data: TenantProvisionRequested = {
    tenantId: input.tenantId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    namespace: input.namespace,
    requestedAt: input.requestedAt.toISOString(),
    deadline: input.deadline.toISOString(),
  };
  return fact('tenant.provision.requested', data, input.tenantId, `provision:${input.tenantId}`);
}

/** A tenant reached a provisioning step; one per tenant and step. */
export function tenantProvisioningFact(input: TenantProvisioning): Fact<'tenant.provisioning'> {
  const data: TenantProvisioning = {
    tenantId: input.tenantId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    step: input.step,
    message: input.message,
    ...(input.bootstrap ? { bootstrap: { node: input.bootstrap.node, step: input.bootstrap.step } } : {}),
  };
  // Each bootstrap step a node reports is its own fact; the other steps happen once per tenant.
  const detail = input.bootstrap ? `:${input.bootstrap.node}:${input.bootstrap.step}` : '';
  return fact('tenant.provisioning', data, input.tenantId, `step:${input.tenantId}:${input.step}${detail}`);
}

/** A tenant became ready; a tenant is ready at most once. */
export function tenantReadyFact(input: WithDates<TenantReady, 'readyAt'>): Fact<'tenant.ready'> {
  const data: TenantReady = {
    tenantId: input.tenantId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    namespace: input.namespace,
    readyAt: input.readyAt.toISOString(),
  };
  return fact('tenant.ready', data, input.tenantId, `ready:${input.tenantId}`);
}

/** Longest failure message put on the wire (the schema allows 1000; a failure is read in a chat line). */
const failureMessageLength = 500;

/** A tenant failed to build; a tenant fails at most once, whoever (provisioner or pool manager) notices first. */
export function tenantFailedFact(input: TenantFailed): Fact<'tenant.failed'> {
  const data: TenantFailed = {
    tenantId: input.tenantId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    reason: input.reason,
    message: input.message.slice(0, failureMessageLength),
  };
  return fact('tenant.failed', data, input.tenantId, `failed:${input.tenantId}`);
}

/** A claim was queued; one per claim. */
export function claimRequestedFact(input: WithDates<ClaimRequested, 'requestedAt'>): Fact<'claim.requested'> {
  const data: ClaimRequested = {
    claimId: input.claimId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    userId: input.userId,
    requestedAt: input.requestedAt.toISOString(),
  };
  return fact('claim.requested', data, input.claimId, `requested:${input.claimId}`);
}

/**
 * A tenant was given to a claim; one per (tenant, claim) pair, the same whether the claim API (fast path) or the
 * pool manager (hand-off to a waiting claim) made the take.
 */
export function tenantClaimedFact(input: WithDates<TenantClaimed, 'claimedAt' | 'expiresAt'>): Fact<'tenant.claimed'> {
  const data: TenantClaimed = {
    tenantId: input.tenantId,
    claimId: input.claimId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    userId: input.userId,
    claimedAt: input.claimedAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
    access: {
      state: input.access.state,
      ...(input.access.ssh
        ? {
            ssh: {
              host: input.access.ssh.host,
              port: input.access.ssh.port,
              user: input.access.ssh.user,
              command: input.access.ssh.command,
            },
          }
        : {}),
      ...(input.access.api
        ? { api: { host: input.access.api.host, port: input.access.api.port, server: input.access.api.server } }
        : {}),
      kubeconfig: { path: input.access.kubeconfig.path },
    },
  };
  return fact('tenant.claimed', data, input.tenantId, `claimed:${input.tenantId}:${input.claimId}`);
}

/** A claim's expiry moved; one per claim and new expiry (an expiry only moves later, so each value is one change). */
export function claimExtendedFact(input: WithDates<ClaimExtended, 'expiresAt'>): Fact<'claim.extended'> {
  const data: ClaimExtended = {
    claimId: input.claimId,
    tenantId: input.tenantId,
    userId: input.userId,
    expiresAt: input.expiresAt.toISOString(),
  };
  return fact('claim.extended', data, input.claimId, `extended:${input.claimId}:${input.expiresAt.getTime()}`);
}

/** The solution checks of a claim's lab were run; each run is its own fact (its id derives from the run id). */
export function claimCheckedFact(input: WithDates<ClaimChecked, 'checkedAt'>): Fact<'claim.checked'> {
  const data: ClaimChecked = {
    claimId: input.claimId,
    tenantId: input.tenantId,
    labId: input.labId,
    userId: input.userId,
    runId: input.runId,
    checkedAt: input.checkedAt.toISOString(),
    solved: input.solved,
    passed: input.passed,
    total: input.total,
    results: input.results.map((r) => ({
      index: r.index,
      kind: r.kind,
      title: r.title,
      passed: r.passed,
      message: r.message,
      ...(r.hint === undefined ? {} : { hint: r.hint }),
    })),
  };
  return fact('claim.checked', data, input.claimId, `checked:${input.claimId}:${input.runId}`);
}

/**
 * A claim is about to expire; one per claim and expiry, so an extended claim is warned again about its new expiry.
 * `minutesLeft` counts from `now`, the moment the warning is decided.
 */
export function tenantExpiringFact(
  input: WithDates<Omit<TenantExpiring, 'minutesLeft'>, 'expiresAt'> & { now: Date },
): Fact<'tenant.expiring'> {
  const data: TenantExpiring = {
    tenantId: input.tenantId,
    claimId: input.claimId,
    userId: input.userId,
    expiresAt: input.expiresAt.toISOString(),
    minutesLeft: Math.max(0, Math.round((input.expiresAt.getTime() - input.now.getTime()) / 60_000)),
  };
  return fact('tenant.expiring', data, input.tenantId, `expiring:${input.claimId}:${input.expiresAt.getTime()}`);
}

/**
 * A tenant left service; one per tenant (a tenant is used once), whoever releases it: the claim API (the owner or an
 * operator) or the pool manager (expiry, failure, garbage).
 */
export function tenantReleasedFact(input: WithDates<TenantReleased, 'releasedAt'>): Fact<'tenant.released'> {
  const data: TenantReleased = {
    tenantId: input.tenantId,
    ...(input.claimId !== undefined ? { claimId: input.claimId } : {}),
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    reason: input.reason,
    releasedAt: input.releasedAt.toISOString(),
  };
  return fact('tenant.released', data, input.tenantId, `released:${input.tenantId}`);
}

/** Everything a tenant owned is gone; one per tenant. */
export function tenantDeletedFact(input: WithDates<TenantDeleted, 'deletedAt'>): Fact<'tenant.deleted'> {
  const data: TenantDeleted = {
    tenantId: input.tenantId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    namespace: input.namespace,
    deletedAt: input.deletedAt.toISOString(),
  };
  return fact('tenant.deleted', data, input.tenantId, `deleted:${input.tenantId}`);
}

/** A pending claim ended without a tenant; one per claim. */
export function claimCancelledFact(input: WithDates<ClaimCancelled, 'cancelledAt'>): Fact<'claim.cancelled'> {
  const data: ClaimCancelled = {
    claimId: input.claimId,
    userId: input.userId,
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    reason: input.reason,
    cancelledAt: input.cancelledAt.toISOString(),
  };
  return fact('claim.cancelled', data, input.claimId, `cancelled:${input.claimId}`);
}

/** The codes `pool.capacity.short.reason` documents; a new one is added to the schema's description first. */
export type PoolShortReason = 'pool.max_total' | 'cluster.capacity';

/**
 * A pool cannot have the tenants it wants. The fact is a change of shortfall, not a pass of the reconciler, so its
 * id names the pool, the reason, the shortfall (wanted − possible) and the hour it was observed in:
 * - the same shortfall announced again by a retry or by a restarted pool manager (which forgot what it last
 *   announced) is one fact and is de-duplicated;
 * - a different shortfall is a new fact, even within the hour;
 * - a shortfall that persists is announced again at most once an hour, so a subscriber that missed the first one
 *   (or an operator reading the stream) still hears of it. The hour is taken from `observedAt` in UTC.
 * `wanted` and `possible` themselves stay out of the id: 10 of 12 and 12 of 14 are the same shortfall of two.
 */
export function poolCapacityShortFact(
  input: WithDates<Omit<PoolCapacityShort, 'reason'>, 'observedAt'> & { reason: PoolShortReason },
): Fact<'pool.capacity.short'> {
  const data: PoolCapacityShort = {
    labId: input.labId,
    kubernetesVersion: input.kubernetesVersion,
    wanted: input.wanted,
    possible: input.possible,
    reason: input.reason,
    observedAt: input.observedAt.toISOString(),
  };
  const pool = poolKey(input.labId, input.kubernetesVersion);
  const shortfall = Math.max(0, input.wanted - input.possible);
  const hour = Math.floor(input.observedAt.getTime() / 3_600_000);
  return fact('pool.capacity.short', data, pool, `capacity-short:${pool}:${input.reason}:${shortfall}:${hour}`);
}

/**
 * A claimed tenant's SSH and API server were opened to the outside at `host` and `ports` (SSH first); one per tenant,
 * claim and endpoint (a re-opening on other ports is a new fact).
 */
export function tenantExposureOpenedFact(input: TenantExposureOpened): Fact<'tenant.exposure.opened'> {
  const data: TenantExposureOpened = {
    tenantId: input.tenantId,
    ...(input.claimId ? { claimId: input.claimId } : {}),
    ...(input.host ? { host: input.host } : {}),
    ports: [...input.ports],
  };
  return fact(
    'tenant.exposure.opened',
    data,
    input.tenantId,
    `exposure-opened:${input.tenantId}:${input.claimId ?? ''}:${input.host ?? ''}:${input.ports.join(',')}`,
  );
}

/** A tenant's exposure was closed (its claim ended); once per tenant and claim. */
export function tenantExposureClosedFact(input: TenantExposureClosed): Fact<'tenant.exposure.closed'> {
  const data: TenantExposureClosed = {
    tenantId: input.tenantId,
    ...(input.claimId ? { claimId: input.claimId } : {}),
    ports: [...input.ports],
  };
  return fact(
    'tenant.exposure.closed',
    data,
    input.tenantId,
    `exposure-closed:${input.tenantId}:${input.claimId ?? ''}`,
  );
}

/** Objects the enforcer owns were found changed by hand and restored; one per tenant, objects and moment. */
export function tenantPolicyRestoredFact(
  input: WithDates<TenantPolicyRestored, 'restoredAt'>,
): Fact<'tenant.policy.restored'> {
  const data: TenantPolicyRestored = {
    tenantId: input.tenantId,
    objects: [...input.objects],
    restoredAt: input.restoredAt.toISOString(),
  };
  return fact(
    'tenant.policy.restored',
    data,
    input.tenantId,
    `policy-restored:${input.tenantId}:${input.restoredAt.getTime()}:${input.objects.join(',')}`,
  );
}

/**
 * What a student's Service or Ingress shows to the outside changed (synced with addresses or hosts, or refused with a
 * reason); one per object (by uid) and content, so re-announcing an unchanged state keeps one copy.
 */
export function tenantExposureSyncedFact(
  input: TenantExposureSynced & { uid?: string },
): Fact<'tenant.exposure.synced'> {
  const data: TenantExposureSynced = {
    tenantId: input.tenantId,
    kind: input.kind,
    namespace: input.namespace,
    name: input.name,
    hostName: input.hostName,
    state: input.state,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.message ? { message: input.message } : {}),
    ...(input.addresses ? { addresses: input.addresses.map((a) => ({ ...a })) } : {}),
    ...(input.hosts ? { hosts: input.hosts.map((h) => ({ ...h })) } : {}),
  };
  const what = [
    ...(data.addresses ?? []).map((a) => `${a.port}/${a.protocol}=${a.host}:${a.publicPort}`),
    ...(data.hosts ?? []).map((h) => `${h.requested}=${h.host}`),
  ].join(',');
  return fact(
    'tenant.exposure.synced',
    data,
    input.tenantId,
    `exposure-synced:${input.tenantId}:${input.kind}:${input.namespace}/${input.name}:${input.uid ?? ''}:` +
      `${input.state}:${input.reason ?? ''}:${input.message ?? ''}:${what}`,
  );
}
