// Pure: which object sets a tenant's namespace should hold now, and what changed by hand since the enforcer last
// applied them. Every live tenant gets its baseline isolation and its quota; a claimed tenant also gets its exposure
// (student access policy and the externally reachable Service); anything else gets nothing (release closes exposure,
// and the namespace's deletion takes the rest).
import type { TenantExposure, TenantState } from '@kubelabs/domain';
import type { KubeObject } from '@kubelabs/kube';

export type ObjectSetName = 'baseline' | 'quota' | 'exposure';

export interface ObservedIsolation {
  tenant: {
    id: string;
    namespace: string;
    state: TenantState;
    claimId?: string;
    isolatedAt?: Date;
    exposure?: TenantExposure;
  };
  namespaceExists: boolean;
  /** The enforcer's objects now in the namespace, by set. */
  existing: Record<ObjectSetName, KubeObject[]>;
}

export interface DesiredSets {
  baseline: KubeObject[];
  quota: KubeObject[];
  /** Rendered for a claimed tenant; empty otherwise. */
  exposure: KubeObject[];
}

export interface SetChanges {
  set: ObjectSetName;
  desired: KubeObject[];
  /** Desired objects missing or different from what the namespace holds: applied. */
  toApply: KubeObject[];
  /** Objects of the set the namespace holds but the set no longer wants: deleted. */
  toPrune: KubeObject[];
}

export interface IsolationPlan {
  /** Object sets to bring to exactly their desired objects; none while the namespace does not exist yet. */
  apply: SetChanges[];
  /** Objects that were deleted or edited by hand since they were last applied (`kind/name`). */
  drifted: string[];
  /** First time the baseline exists: record it (the provisioner boots no VM before). */
  markIsolated: boolean;
  /** Whether the tenant's exposure should now be open (then its ports are read back) or closed. */
  exposure: 'open' | 'closed' | 'unchanged';
}

const liveStates = new Set<TenantState>(['provisioning', 'ready', 'claimed']);

export function planTenantIsolation(observed: ObservedIsolation, desired: DesiredSets): IsolationPlan {
  const { tenant } = observed;
  const live = liveStates.has(tenant.state);
  const claimed = tenant.state === 'claimed';
  const exposureWanted = claimed ? desired.exposure : [];
  const exposure: IsolationPlan['exposure'] = claimed
    ? 'open'
    : tenant.exposure?.state === 'open'
      ? 'closed'
      : 'unchanged';
  if (!live) {
    // Releasing (or failed): close the exposure at once (the namespace may already be going: its deletion removes
    // the objects, the closing is recorded either way).
    return {
      apply: observed.namespaceExists ? [planSetChanges('exposure', observed.existing.exposure, [])] : [],
      drifted: [],
      markIsolated: false,
      exposure,
    };
  }
  if (!observed.namespaceExists) return { apply: [], drifted: [], markIsolated: false, exposure: 'unchanged' };
  const sets: SetChanges[] = [
    planSetChanges('baseline', observed.existing.baseline, desired.baseline),
    planSetChanges('quota', observed.existing.quota, desired.quota),
    planSetChanges('exposure', observed.existing.exposure, exposureWanted),
  ];
  // Drift is only what was applied before and is now missing or different; a new tenant's first apply is not drift.
  const drifted = sets.flatMap(({ set, desired: objects }) => {
    const appliedBefore =
      set === 'exposure'
        ? tenant.exposure?.state === 'open' && tenant.exposure.claimId === tenant.claimId
        : !!tenant.isolatedAt;
    if (!appliedBefore) return [];
    return objects
      .filter((object) => {
        const found = observed.existing[set].find(
          (e) => e.kind === object.kind && e.metadata.name === object.metadata.name,
        );
        return !found || !containsDesired(found, object);
      })
      .map((object) => `${object.kind}/${object.metadata.name}`);
  });
  return { apply: sets, drifted, markIsolated: !tenant.isolatedAt, exposure };
}

/** Pure: what to apply and what to delete so that a set holds exactly `desired` (unchanged objects cost nothing). */
export function planSetChanges(set: ObjectSetName, existing: KubeObject[], desired: KubeObject[]): SetChanges {
  const same = (a: KubeObject, b: KubeObject) => a.kind === b.kind && a.metadata.name === b.metadata.name;
  return {
    set,
    desired,
    toApply: desired.filter((object) => {
      const found = existing.find((e) => same(e, object));
      return !found || !containsDesired(found, object);
    }),
    toPrune: existing.filter((e) => !desired.some((object) => same(e, object))),
  };
}

/**
 * True when `actual` (as the API server returns it, defaults filled in) holds every field `desired` sets, with the
 * same values: what server-side apply would leave unchanged. Arrays must match element by element.
 */
export function containsDesired(actual: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((item, index) => containsDesired(actual[index], item))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) =>
      containsDesired((actual as Record<string, unknown>)[key], value),
    );
  }
  return actual === desired;
}
