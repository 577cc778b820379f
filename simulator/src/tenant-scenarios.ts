// [simulator] What tests (and the dev platform's control endpoints) tell the stand-in tenant API about tenants: that a
// student fixed the lab, or that the next tenants of a lab report a failed bootstrap. A failure waiting for a lab goes
// to the next tenants of that lab the tenant API is asked about, and stays with them (a tenant's bootstrap runs once).
import type { TenantScenarioState } from './play-lab';

export interface BootstrapFailure {
  /** The node whose bootstrap fails: `controlplane`, `node01`, ... */
  node: string;
  step: string;
  message: string;
}

export class TenantScenarios {
  private readonly byNamespace = new Map<string, TenantScenarioState>();
  private readonly pendingFailures = new Map<string, BootstrapFailure[]>();

  /** The student fixed the lab of the tenant in `namespace`. */
  solve(namespace: string): void {
    const state = this.byNamespace.get(namespace) ?? { solved: false };
    this.byNamespace.set(namespace, { ...state, solved: true });
  }

  /** The next `count` tenants of `labId` first seen from now on report this bootstrap failure. */
  failBootstrap(labId: string, failure: BootstrapFailure, count = 1): void {
    const queue = this.pendingFailures.get(labId) ?? [];
    for (let i = 0; i < count; i++) queue.push({ ...failure });
    this.pendingFailures.set(labId, queue);
  }

  /** How many failures still wait for tenants of `labId`. */
  pendingBootstrapFailures(labId: string): number {
    return this.pendingFailures.get(labId)?.length ?? 0;
  }

  stateOf(namespace: string, labId: string | undefined): TenantScenarioState {
    let state = this.byNamespace.get(namespace);
    if (!state) {
      const failure = labId ? this.pendingFailures.get(labId)?.shift() : undefined;
      state = { solved: false, ...(failure ? { bootstrapFailure: failure } : {}) };
      this.byNamespace.set(namespace, state);
    }
    return state;
  }
}
