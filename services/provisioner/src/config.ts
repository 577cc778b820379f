// The provisioner's configuration: the platform's variables plus its loop timings and the tenant API addresses.
import { Matches } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';

export class ProvisionerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8082;

  /** How often provisioning and releasing tenants are re-checked (readiness, teardown). */
  @EnvIntegerInRange(100, 60_000)
  READINESS_POLL_MS: number = 2_000;

  /** How often every owned namespace is compared with the tenants in MongoDB (garbage, stuck tenants). */
  @EnvIntegerInRange(200, 600_000)
  RESYNC_INTERVAL_MS: number = 30_000;

  /** Where the provisioner reaches a tenant's API server; `{namespace}` is replaced. */
  @Matches(/^https?:\/\/\S+$/, {
    message: 'TENANT_API_URL_TEMPLATE must be an http(s) URL, optionally with {namespace}',
  })
  TENANT_API_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /** The server URL written into the student's kubeconfig; `{namespace}` is replaced. */
  @Matches(/^https:\/\/\S+$/, {
    message: 'TENANT_API_PUBLIC_URL_TEMPLATE must be an https URL, optionally with {namespace}',
  })
  TENANT_API_PUBLIC_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /** Tenants reconciled at once. */
  @EnvIntegerInRange(1, 64)
  PROVISION_CONCURRENCY: number = 8;
}
