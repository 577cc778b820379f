// The pool manager's reconciler: observe → plan (capacity across pools, then each pool) → apply → status, on the
// controller kit with one key for the whole platform (capacity is shared across pools, so they are planned together).
// Level-triggered: events only make it run sooner (after a short delay that coalesces a burst into one pass); the
// resync makes it correct after a crash or a lost message.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { poolCapacityShortFact } from '@kubelabs/contracts';
import { EventPublisher } from '@kubelabs/messaging';
import { KubeClient } from '@kubelabs/kube';
import { Persistence } from '@kubelabs/persistence';
import { ReconcileLoop } from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import type { Gauge } from 'prom-client';
import { PoolManagerConfig } from './config';
import { observePools, type ObservedPlatform, type ObservedPoolState } from './observe-pools';
import { PoolActionApplier } from './apply-pool-actions';
import {
  computeTenantCost,
  planCapacity,
  planFailureThrottle,
  planPool,
  planPoolDemand,
  sumResources,
  type ObservedPool,
  type PoolAllowance,
  type PoolTargets,
} from './plan';

/** The one key of the pool manager's queue: every pool is planned in the same pass. */
const platformKey = 'platform';

@Injectable()
export class PoolReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PoolReconciler');
  private readonly applier: PoolActionApplier;
  private readonly loop: ReconcileLoop;
  private readonly lastShortfall = new Map<string, number>();
  private readonly gauges: { tenants: Gauge<string>; pending: Gauge<string>; shortfall: Gauge<string> };

  constructor(
    private readonly db: Persistence,
    private readonly events: EventPublisher,
    private readonly kube: KubeClient,
    @Inject(PoolManagerConfig) private readonly config: PoolManagerConfig,
    metrics: Metrics,
  ) {
    this.applier = new PoolActionApplier(db, events, {
      provisionTimeoutMs: config.PROVISION_TIMEOUT_MS,
    });
    this.loop = new ReconcileLoop(
      {
        name: 'pool-manager',
        reconcile: () => this.reconcileOnce(),
        concurrency: 1,
        // A failed pass is retried soon, but never faster than the resync would run it anyway.
        backoff: { baseMs: 100, maxMs: config.RESYNC_INTERVAL_MS },
        resync: { everyMs: config.RESYNC_INTERVAL_MS, keys: async () => [platformKey] },
      },
      { registry: metrics.registry, logger: this.logger },
    );
    this.gauges = {
      tenants: metrics.gauge('kubelabs_pool_tenants', 'Tenants per pool and state', ['pool', 'state']),
      pending: metrics.gauge('kubelabs_pool_pending_claims', 'Claims waiting for a tenant', ['pool']),
      shortfall: metrics.gauge(
        'kubelabs_pool_capacity_shortfall',
        'Tenants a pool wanted that host capacity did not allow',
        ['pool'],
      ),
    };
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Asks for a pass after `delayMs` (a burst of events within it costs one pass); resolves when a pass that started
   * after this call has finished.
   */
  trigger(delayMs = 0): Promise<void> {
    return this.loop.enqueue(platformKey, { afterMs: delayMs });
  }

  async reconcileOnce(): Promise<void> {
    const now = new Date();
    const observed = await observePools(
      this.db,
      this.config.CAPACITY_SOURCE === 'nodes' ? this.kube : null,
      this.config.HOST_NODE_SELECTOR,
      now,
    );
    const allowances = this.planAllowances(observed, now);
    for (const pool of observed.pools) {
      const allowance = allowances.get(pool.key);
      const throttle = planFailureThrottle({
        recentFailures: pool.recentFailures,
        provisioning: pool.tenants.filter((t) => t.state === 'provisioning').length,
      });
      const provisionAllowance = Math.min(allowance?.allowed ?? Number.POSITIVE_INFINITY, throttle.allowance);
      const actions = planPool(this.targetsOf(pool), this.observedOf(pool, provisionAllowance), now);
      for (const action of actions) {
        try {
          await this.applier.apply(pool, action, now);
        } catch (error) {
          this.logger.warn(
            { err: error, pool: pool.key, action: action.type },
            'pool action failed; the next pass retries',
          );
        }
      }
      if (actions.length > 0)
        this.logger.log({ pool: pool.key, actions: actions.map((a) => a.type) }, 'pool reconciled');
      await this.writeStatus(pool, allowance, now, throttle.message);
    }
  }

  private planAllowances(observed: ObservedPlatform, now: Date): Map<string, PoolAllowance> {
    if (!observed.allocatable) return new Map();
    const costOf = (pool: ObservedPoolState) =>
      pool.lab ? computeTenantCost(pool.lab.topology) : { memoryMiB: 0, cpuMillis: 0 };
    const used = sumResources(observed.pools.flatMap((pool) => pool.tenants.map(() => costOf(pool))));
    const demands = observed.pools.map((pool) =>
      planPoolDemand(this.targetsOf(pool), this.observedOf(pool, Number.POSITIVE_INFINITY), costOf(pool), now),
    );
    const plan = planCapacity({ allocatable: observed.allocatable, used, demands });
    return new Map(plan.pools.map((p) => [p.poolKey, p]));
  }

  private targetsOf(pool: ObservedPoolState): PoolTargets {
    return {
      poolKey: pool.key,
      minReady: pool.minReady,
      maxTotal: pool.maxTotal,
      offered: pool.offered,
      expiringNoticeMinutes: this.config.EXPIRING_NOTICE_MINUTES,
    };
  }

  private observedOf(pool: ObservedPoolState, provisionAllowance: number): ObservedPool {
    return {
      tenants: pool.tenants.map((t) => ({
        id: t._id,
        state: t.state,
        createdAt: t.createdAt,
        provisioningDeadline: t.provisioningDeadline,
        ...(t.claimId ? { claimId: t.claimId } : {}),
        ...(t.readyAt ? { readyAt: t.readyAt } : {}),
      })),
      pendingClaims: pool.pendingClaims.map((c) => ({ id: c._id, seq: c.seq, requestedAt: c.requestedAt })),
      activeClaims: pool.activeClaims
        .filter((c) => c.tenantId && c.expiresAt)
        .map((c) => ({
          id: c._id,
          tenantId: c.tenantId!,
          expiresAt: c.expiresAt!,
          ...(c.expiringNotifiedAt ? { expiringNotifiedAt: c.expiringNotifiedAt } : {}),
        })),
      provisionAllowance,
    };
  }

  private async writeStatus(
    pool: ObservedPoolState,
    allowance: PoolAllowance | undefined,
    now: Date,
    throttled?: string,
  ): Promise<void> {
    const count = (state: string) => pool.tenants.filter((t) => t.state === state).length;
    const shortfall = allowance?.shortfall ?? 0;
    for (const state of ['provisioning', 'ready', 'claimed', 'releasing', 'failed'])
      this.gauges.tenants.set({ pool: pool.key, state }, count(state));
    this.gauges.pending.set({ pool: pool.key }, pool.pendingClaims.length);
    this.gauges.shortfall.set({ pool: pool.key }, shortfall);
    const message =
      [
        shortfall > 0 ? `host capacity allows ${allowance!.allowed} of ${allowance!.wanted} wanted tenants` : undefined,
        throttled,
      ]
        .filter(Boolean)
        .join('; ') || undefined;
    await this.db.poolStatus
      .updateOne(
        { _id: pool.key },
        {
          $set: {
            labId: pool.labId,
            kubernetesVersion: pool.kubernetesVersion,
            minReady: pool.minReady,
            maxTotal: pool.maxTotal,
            ready: count('ready'),
            provisioning: count('provisioning'),
            claimed: count('claimed'),
            pending: pool.pendingClaims.length,
            capacityShortfall: shortfall,
            observedAt: now,
            ...(message ? { message } : {}),
          },
          ...(message ? {} : { $unset: { message: 1 } }),
        },
        { upsert: true },
      )
      .exec();
    // An event when a shortfall appears or grows, not on every pass.
    if (shortfall > (this.lastShortfall.get(pool.key) ?? 0)) {
      await this.events.publishFact(
        poolCapacityShortFact({
          labId: pool.labId,
          kubernetesVersion: pool.kubernetesVersion,
          wanted: allowance!.wanted,
          possible: allowance!.allowed,
          reason: 'cluster.capacity',
          observedAt: now,
        }),
      );
    }
    this.lastShortfall.set(pool.key, shortfall);
  }
}
