// Every fact builder makes a payload its JSON Schema accepts, at the edges of every field, and one stable id per fact:
// the same fact built twice (by another service, at another moment) has the same id, another fact another id.
import { describe, expect, it } from 'vitest';
import { renderAccess, stableUuid, tenantNamespace } from '@kubelabs/domain';
import {
  claimCancelledFact,
  claimCheckedFact,
  claimExtendedFact,
  claimRequestedFact,
  eventTypes,
  poolCapacityShortFact,
  subjectsDocument,
  tenantClaimedFact,
  tenantDeletedFact,
  tenantExpiringFact,
  tenantFailedFact,
  tenantProvisioningFact,
  tenantProvisionRequestedFact,
  tenantReadyFact,
  tenantReleasedFact,
  validateEnvelope,
  validateEvent,
  type AnyFact,
  type ClaimCancelled,
  type PoolShortReason,
  type TenantProvisioning,
  type TenantReleased,
} from '@kubelabs/contracts';

/** The longest and shortest ids the common schema allows, and a user id using every allowed character. */
const tenants = ['t-a', `t-a${'b-'.repeat(19)}z`];
const claims = ['c-1', `c-9${'x'.repeat(38)}9`];
const labs = ['a', `l${'a-b'.repeat(15)}xz`];
const users = ['u', `slack:T024BE7LD:U0G9QF9C6.x_y@z-${'9'.repeat(96)}`];
const versions = ['1.10', '1.36'];
const times = [new Date(0), new Date('2026-11-20T10:15:00.123Z'), new Date('9999-12-31T23:59:59.999Z')];

const steps: TenantProvisioning['step'][] = [
  'namespace',
  'secrets',
  'virtual-machines',
  'services',
  'booting',
  'control-plane-ready',
  'nodes-ready',
];
const releaseReasons: TenantReleased['reason'][] = ['user', 'expired', 'admin', 'failed', 'garbage', 'deadline'];
const cancelReasons: ClaimCancelled['reason'][] = ['user', 'admin', 'timeout', 'lab-removed'];

/** Facts at the edges: index i picks the shortest (even) or longest (odd) value of each field. */
function edgeFacts(i: number): AnyFact[] {
  const tenantId = tenants[i % 2]!;
  const claimId = claims[i % 2]!;
  const labId = labs[i % 2]!;
  const userId = users[i % 2]!;
  const kubernetesVersion = versions[i % 2]!;
  const at = times[i % times.length]!;
  const namespace = tenantNamespace(tenantId);
  const tenant = { tenantId, labId, kubernetesVersion };
  return [
    tenantProvisionRequestedFact({ ...tenant, namespace, requestedAt: at, deadline: at }),
    ...steps.map((step) => tenantProvisioningFact({ ...tenant, step, message: i % 2 ? 'é'.repeat(1000) : '' })),
    tenantReadyFact({ ...tenant, namespace, readyAt: at }),
    tenantFailedFact({ ...tenant, reason: 'vm.boot_failed', message: i % 2 ? 'x'.repeat(5000) : '' }),
    claimRequestedFact({ claimId, labId, kubernetesVersion, userId, requestedAt: at }),
    tenantClaimedFact({
      ...tenant,
      claimId,
      userId,
      claimedAt: at,
      expiresAt: at,
      access: renderAccess(
        claimId,
        i % 2
          ? {
              state: 'open',
              claimId,
              host: i % 4 === 1 ? 'labs.example.org' : '2001:db8::1',
              sshPort: 65535,
              apiPort: 1,
            }
          : undefined,
      ),
    }),
    claimExtendedFact({ claimId, tenantId, userId, expiresAt: at }),
    tenantProvisioningFact({
      ...tenant,
      step: 'bootstrapping',
      message: 'node01: kubeadm join',
      bootstrap: { node: i % 2 ? 'n'.repeat(63) : 'node01', step: i % 2 ? 's'.repeat(200) : 'kubeadm join' },
    }),
    claimCheckedFact({
      claimId,
      tenantId,
      labId,
      userId,
      runId: '8d1c7a52-3f5e-4c1e-9a43-5b8e2d7c9f10',
      checkedAt: at,
      solved: i % 2 === 0,
      passed: i % 2 ? 10 : 0,
      total: i % 2 ? 10 : 0,
      results:
        i % 2
          ? Array.from({ length: 10 }, (_, index) => ({
              index: Math.min(index, 9),
              kind: 'ssh' as const,
              title: 't'.repeat(200),
              passed: false,
              message: 'm'.repeat(1000),
              hint: 'h'.repeat(1000),
            }))
          : [],
    }),
    // Already past its expiry (minutesLeft stops at 0), and one far away.
    tenantExpiringFact({
      tenantId,
      claimId,
      userId,
      expiresAt: at,
      now: new Date(at.getTime() + (i % 2 ? 1 : -1) * 9e12),
    }),
    ...releaseReasons.map((reason) =>
      tenantReleasedFact({ ...tenant, ...(i % 2 ? { claimId } : {}), reason, releasedAt: at }),
    ),
    tenantDeletedFact({ ...tenant, namespace, deletedAt: at }),
    ...cancelReasons.map((reason) =>
      claimCancelledFact({ claimId, userId, labId, kubernetesVersion, reason, cancelledAt: at }),
    ),
    poolCapacityShortFact({
      labId,
      kubernetesVersion,
      wanted: i % 2 ? 2 ** 31 : 0,
      possible: 0,
      reason: i % 2 ? 'cluster.capacity' : 'pool.max_total',
      observedAt: at,
    }),
  ];
}

const allFacts = [0, 1, 2, 3].flatMap(edgeFacts);

const hour = 3_600_000;
const extended = (expiresAt: number) =>
  claimExtendedFact({ claimId: 'c-1', tenantId: 't-a', userId: 'u', expiresAt: new Date(expiresAt) }).id;
const short = (wanted: number, possible: number, at: number, reason: PoolShortReason) =>
  poolCapacityShortFact({ labId: 'a', kubernetesVersion: '1.36', wanted, possible, reason, observedAt: new Date(at) })
    .id;

describe('fact builders', () => {
  it.each(allFacts.map((fact) => [fact.type, fact] as const))(
    'builds a %s payload its schema accepts',
    (_type, fact) => {
      expect(validateEvent(fact.type, fact.data)).toBeNull();
      const envelope = {
        specversion: '1.0',
        id: fact.id,
        source: '/kubelabs/spec',
        type: fact.type,
        subject: fact.subject,
        time: '2026-11-20T10:15:00.000Z',
        datacontenttype: 'application/json',
        data: fact.data,
      };
      expect(validateEnvelope(envelope)).toBeNull();
    },
  );

  it('has a builder for every event type the services publish', () => {
    const published = subjectsDocument.events
      .filter((event) => event.publishers.some((p) => ['claim-api', 'pool-manager', 'provisioner'].includes(p)))
      .map((event) => event.type);
    expect(new Set(allFacts.map((fact) => fact.type))).toEqual(new Set(published));
    for (const fact of allFacts) expect(eventTypes).toContain(fact.type);
  });

  it('puts the kubernetesVersion its schema requires into claim.cancelled', () => {
    const fact = claimCancelledFact({
      claimId: 'c-1',
      userId: 'ada',
      labId: 'cka',
      kubernetesVersion: '1.36',
      reason: 'user',
      cancelledAt: new Date(0),
    });
    expect(fact.data).toEqual({
      claimId: 'c-1',
      userId: 'ada',
      labId: 'cka',
      kubernetesVersion: '1.36',
      reason: 'user',
      cancelledAt: '1970-01-01T00:00:00.000Z',
    });
    expect(fact).toMatchObject({ type: 'claim.cancelled', subject: 'c-1' });
  });

  it('cuts a long failure message to 500 characters', () => {
    const fact = tenantFailedFact({
      tenantId: 't-a',
      labId: 'a',
      kubernetesVersion: '1.36',
      reason: 'vm.boot_failed',
      message: 'x'.repeat(5000),
    });
    expect(fact.data.message).toHaveLength(500);
  });

  it('leaves claimId out of tenant.released when the tenant was never claimed', () => {
    const fact = tenantReleasedFact({
      tenantId: 't-a',
      labId: 'a',
      kubernetesVersion: '1.36',
      reason: 'garbage',
      releasedAt: new Date(0),
    });
    expect(fact.data).not.toHaveProperty('claimId');
  });
});

describe('fact ids', () => {
  const t = { tenantId: 't-a', labId: 'a', kubernetesVersion: '1.36' };
  const access = renderAccess('c-1', undefined);

  // The ids facts had before the builders existed: a message still in the duplicate window across an upgrade keeps
  // being recognised.
  it.each<[string, AnyFact, string]>([
    [
      'tenant.provision.requested',
      tenantProvisionRequestedFact({ ...t, namespace: 'n', requestedAt: new Date(0), deadline: new Date(1) }),
      'provision:t-a',
    ],
    ['tenant.provisioning', tenantProvisioningFact({ ...t, step: 'booting', message: '' }), 'step:t-a:booting'],
    ['tenant.ready', tenantReadyFact({ ...t, namespace: 'n', readyAt: new Date(0) }), 'ready:t-a'],
    ['tenant.failed', tenantFailedFact({ ...t, reason: 'a.b', message: '' }), 'failed:t-a'],
    [
      'claim.requested',
      claimRequestedFact({
        claimId: 'c-1',
        labId: 'a',
        kubernetesVersion: '1.36',
        userId: 'u',
        requestedAt: new Date(0),
      }),
      'requested:c-1',
    ],
    [
      'tenant.claimed',
      tenantClaimedFact({ ...t, claimId: 'c-1', userId: 'u', claimedAt: new Date(0), expiresAt: new Date(1), access }),
      'claimed:t-a:c-1',
    ],
    [
      'tenant.expiring',
      tenantExpiringFact({
        tenantId: 't-a',
        claimId: 'c-1',
        userId: 'u',
        expiresAt: new Date(60_000),
        now: new Date(0),
      }),
      'expiring:c-1:60000',
    ],
    ['tenant.released', tenantReleasedFact({ ...t, reason: 'user', releasedAt: new Date(0) }), 'released:t-a'],
    ['tenant.deleted', tenantDeletedFact({ ...t, namespace: 'n', deletedAt: new Date(0) }), 'deleted:t-a'],
  ])('%s keeps the id it had', (_type, fact, name) => {
    expect(fact.id).toBe(stableUuid(name));
  });

  it('gives a tenant one tenant.released id whoever releases it, whenever and why', () => {
    const byOwner = tenantReleasedFact({ ...t, claimId: 'c-1', reason: 'user', releasedAt: new Date(1_000) });
    const byExpiry = tenantReleasedFact({ ...t, claimId: 'c-1', reason: 'expired', releasedAt: new Date(9_000) });
    expect(byExpiry.id).toBe(byOwner.id);
    expect(tenantReleasedFact({ ...t, tenantId: 't-b', reason: 'user', releasedAt: new Date(1_000) }).id).not.toBe(
      byOwner.id,
    );
  });

  it('names a claim extension by its new expiry', () => {
    expect(extended(60_000)).toBe(extended(60_000));
    expect(extended(120_000)).not.toBe(extended(60_000));
  });

  it('names a capacity shortfall by pool, reason, size and hour', () => {
    const first = short(12, 10, 5 * hour + 1, 'cluster.capacity');
    expect(short(12, 10, 5 * hour + 59 * 60_000, 'cluster.capacity')).toBe(first); // same hour, same shortfall
    expect(short(14, 12, 5 * hour + 2, 'cluster.capacity')).toBe(first); // a shortfall of two is a shortfall of two
    expect(short(13, 10, 5 * hour + 2, 'cluster.capacity')).not.toBe(first); // it grew
    expect(short(12, 10, 6 * hour, 'cluster.capacity')).not.toBe(first); // it persisted into the next hour
    expect(short(12, 10, 5 * hour + 2, 'pool.max_total')).not.toBe(first); // another cause
    expect(
      poolCapacityShortFact({
        labId: 'b',
        kubernetesVersion: '1.36',
        wanted: 12,
        possible: 10,
        reason: 'cluster.capacity',
        observedAt: new Date(5 * hour + 1),
      }).id,
    ).not.toBe(first);
  });

  it('gives distinct facts distinct ids', () => {
    const ids = edgeFacts(1).map((fact) => `${fact.type} ${fact.id}`);
    // The release and cancel facts are one fact per entity whatever the reason; the rest are all different.
    const unique = new Set(ids);
    expect(unique.size).toBe(ids.length - (releaseReasons.length - 1) - (cancelReasons.length - 1));
  });
});
