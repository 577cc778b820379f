// The pool manager's pure decisions: what a tenant costs, how scarce capacity is shared, what each pool must do.
export * from './compute-tenant-cost';
export * from './plan-capacity';
export * from './plan-pool';
export * from './plan-failure-throttle';
