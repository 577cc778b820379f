// The provisioner's configuration: the platform's variables plus its loop timings and the tenant API addresses.
import { IsInt, Matches, Max, Min } from 'class-validator';
import { EnvInteger, PlatformConfig } from '@kubelabs/config';

export class ProvisionerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8082;

  /** How often provisioning and releasing tenants are re-checked (readiness, teardown). */
  @EnvInteger()
  @IsInt({ message: 'READINESS_POLL_MS must be an integer from 100 to 60000' })
  @Min(100, { message: 'READINESS_POLL_MS must be an integer from 100 to 60000' })
  @Max(60_000, { message: 'READINESS_POLL_MS must be an integer from 100 to 60000' })
  READINESS_POLL_MS: number = 2_000;

  /** How often every owned namespace is compared with the tenants in MongoDB (garbage, stuck tenants). */
  @EnvInteger()
  @IsInt({ message: 'RESYNC_INTERVAL_MS must be an integer from 200 to 600000' })
  @Min(200, { message: 'RESYNC_INTERVAL_MS must be an integer from 200 to 600000' })
  @Max(600_000, { message: 'RESYNC_INTERVAL_MS must be an integer from 200 to 600000' })
  RESYNC_INTERVAL_MS: number = 30_000;

  /** Where the provisioner reaches a tenant's API server; `{namespace}` is replaced. */
  @Matches(/^https?:\/\/\S+$/, { message: 'TENANT_API_URL_TEMPLATE must be an http(s) URL, optionally with {namespace}' })
  TENANT_API_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /** The server URL written into the student's kubeconfig; `{namespace}` is replaced. */
  @Matches(/^https:\/\/\S+$/, { message: 'TENANT_API_PUBLIC_URL_TEMPLATE must be an https URL, optionally with {namespace}' })
  TENANT_API_PUBLIC_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /** Tenants reconciled at once. */
  @EnvInteger()
  @IsInt({ message: 'PROVISION_CONCURRENCY must be an integer from 1 to 64' })
  @Min(1, { message: 'PROVISION_CONCURRENCY must be an integer from 1 to 64' })
  @Max(64, { message: 'PROVISION_CONCURRENCY must be an integer from 1 to 64' })
  PROVISION_CONCURRENCY: number = 8;
}
