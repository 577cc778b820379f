// A row of the claim API's GET /v1/pools, as contracts/openapi.json declares it (components.schemas.PoolView), for
// clients outside the claim API (tests, the benchmark) that must not import the service's controller.
// pool-view.spec.ts fails when this type and the contract disagree.

/** One pool (lab × Kubernetes version): its bounds, its tenants by state, waiting claims and any capacity shortfall. */
export interface PoolView {
  labId: string;
  kubernetesVersion: string;
  minReady: number;
  maxTotal: number;
  ready: number;
  provisioning: number;
  claimed: number;
  /** Claims waiting for a tenant. */
  pending: number;
  /** Tenants wanted but not allowed by host capacity. */
  capacityShortfall: number;
  message?: string;
}
