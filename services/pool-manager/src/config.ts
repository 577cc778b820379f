// The pool manager's configuration: the platform's variables plus its loop timings.
import { IsIn, Matches } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';

export class PoolManagerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8081;

  /** How often every pool is reconciled even without events (level-triggered correction). */
  @EnvIntegerInRange(200, 600_000)
  RESYNC_INTERVAL_MS: number = 10_000;

  /** A tenant not ready within this time after it was requested is failed and cleaned up. */
  @EnvIntegerInRange(1000, 3_600_000)
  PROVISION_TIMEOUT_MS: number = 15 * 60_000;

  /** Minutes before expiry when `tenant.expiring` is sent. */
  @EnvIntegerInRange(0, 120)
  EXPIRING_NOTICE_MINUTES: number = 10;

  /** Which host nodes run tenant VMs (a label selector, e.g. `kubevirt.io/schedulable=true`); empty means all. */
  @Matches(/^[A-Za-z0-9_./=!,() -]*$/, { message: 'HOST_NODE_SELECTOR must be a Kubernetes label selector' })
  HOST_NODE_SELECTOR: string = '';

  /** `nodes`: capacity from the host nodes' allocatable resources; `unlimited`: no capacity planning. */
  @IsIn(['nodes', 'unlimited'], { message: "CAPACITY_SOURCE must be 'nodes' or 'unlimited'" })
  CAPACITY_SOURCE: string = 'nodes';
}
