// The provisioner's reconciler: given a tenant id (never an event), observe → plan → apply → status. Gone is
// success; every step is idempotent, so a pass that runs twice, or after a crash half-way, changes nothing more.
import { type ConditionUpdate, mergeConditions, sameConditions, type TenantStore } from '@kubelabs/persistence';
import type { ReconcileResult } from '@kubelabs/reconcile';
import { observeTenant, type ObserveTenantDeps } from './observe-tenant';
import { planTenant } from './plan-tenant';
import type { TenantPlanApplier } from './apply-tenant-plan';

export class TenantReconciler {
  constructor(
    private readonly observeDeps: ObserveTenantDeps,
    private readonly applier: TenantPlanApplier,
    private readonly store: TenantStore,
  ) {}

  async reconcile(tenantId: string, now = new Date()): Promise<ReconcileResult | void> {
    const snapshot = await observeTenant(this.observeDeps, tenantId);
    if (!snapshot) return; // gone is success
    const plan = planTenant(snapshot.observed, now);
    await this.applier.apply(snapshot, plan.actions, now);
    await this.writeStatus(tenantId, snapshot.tenant.conditions ?? [], plan.conditions, now);
  }

  /** Conditions are written only when they say something new (most passes write nothing). */
  private async writeStatus(
    tenantId: string,
    previous: Parameters<typeof mergeConditions>[0],
    next: ConditionUpdate[],
    now: Date,
  ): Promise<void> {
    if (next.length === 0) return;
    if (sameConditions(previous, mergeConditions(previous, next, now))) return;
    await this.store.writeConditions(tenantId, next, now);
  }
}
