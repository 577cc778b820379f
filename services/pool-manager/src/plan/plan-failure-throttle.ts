// When a pool's tenants keep failing to boot (a broken image, a bad lab setup), replacing each at once would churn the
// host forever. After `threshold` failures within `windowMs`, the pool provisions one tenant at a time, as a probe,
// until the failures age out. Pure.
export interface FailureThrottleInput {
  recentFailures: number;
  provisioning: number;
  threshold?: number;
}

export function planFailureThrottle({ recentFailures, provisioning, threshold = 3 }: FailureThrottleInput): {
  allowance: number;
  message?: string;
} {
  if (recentFailures < threshold) return { allowance: Number.POSITIVE_INFINITY };
  return {
    allowance: Math.max(0, 1 - provisioning),
    message: `${recentFailures} tenants failed recently: provisioning one at a time until boots succeed`,
  };
}
