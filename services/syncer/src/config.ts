// The syncer's configuration: where it reaches tenant API servers, where the world reaches what it exposes, and the
// default limits per lab, validated once at start-up (a bad variable stops it with one line naming it).
import { Matches, ValidateBy, type ValidationArguments } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';
import { parsePortRanges, type LabExposure } from '@kubelabs/domain';
import type { ExposureLimits, SyncSettings } from './plan-tenant-exposure';

const hostNamePattern =
  /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$/;

export class SyncerConfig extends PlatformConfig {
  override HTTP_PORT: number = 8084;

  /** Where the syncer reaches a tenant's API server; `{namespace}` is the tenant's host namespace. */
  @Matches(/^https?:\/\/\S+$/, {
    message: 'TENANT_API_URL_TEMPLATE must be an http(s) URL, optionally with {namespace}',
  })
  TENANT_API_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /**
   * The name the tenant API's certificate is verified against when the URL's host is not one of its names (a proxy
   * or tunnel in front); `{namespace}` is replaced. Empty: the URL's host.
   */
  @Matches(/^([a-z0-9{}.-]*)$/, {
    message: 'TENANT_API_SERVER_NAME_TEMPLATE must be a DNS name, optionally with {namespace}',
  })
  TENANT_API_SERVER_NAME_TEMPLATE: string = '';

  /** Where students reach synced node ports (the host nodes' public name), as for the enforcer's exposure. */
  @Matches(hostNamePattern, { message: 'EXPOSURE_PUBLIC_HOST must be a host name or an IP address' })
  EXPOSURE_PUBLIC_HOST: string = 'localhost';

  /** The platform's domain for Ingress hosts: each tenant's are confined to `<tenant id>.<domain>`. */
  @Matches(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, {
    message: 'SYNC_INGRESS_DOMAIN must be a lower-case DNS name with at least two labels',
  })
  SYNC_INGRESS_DOMAIN: string = 'labs.localhost';

  /** The host's IngressClass for synced Ingresses; empty for the host's default class. */
  @Matches(/^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)?$/, { message: 'SYNC_INGRESS_CLASS must be an IngressClass name' })
  SYNC_INGRESS_CLASS: string = '';

  /**
   * A cert-manager ClusterIssuer that certifies the synced Ingresses' hosts (each host Ingress gets a `tls` section and
   * the `cert-manager.io/cluster-issuer` annotation); empty: plain HTTP. Wildcard hosts need a DNS-01 issuer.
   */
  @Matches(/^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)?$/, {
    message: 'SYNC_INGRESS_TLS_ISSUER must be a ClusterIssuer name, or empty',
  })
  SYNC_INGRESS_TLS_ISSUER: string = '';

  /** NodePort and LoadBalancer Services a tenant may expose (the enforcer's quota must leave room for their ports). */
  @EnvIntegerInRange(0, 50)
  SYNC_MAX_SERVICES: number = 4;

  @EnvIntegerInRange(0, 50)
  SYNC_MAX_INGRESSES: number = 4;

  /** Service ports a tenant may expose: `80,443,8000-8999`, `1-65535` (all) or `none`. */
  @ValidateBy({
    name: 'portRanges',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parsePortRanges(value) !== undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be comma-separated ports or ranges from 1 to 65535 (e.g. 80,443,8000-8999) or none`,
    },
  })
  SYNC_ALLOWED_PORTS: string = '1-65535';

  /** How often every claimed tenant's both sides are relisted and compared (missed events, orphans). */
  @EnvIntegerInRange(200, 600_000)
  RESYNC_INTERVAL_MS: number = 30_000;

  /** Tenants reconciled at once. */
  @EnvIntegerInRange(1, 64)
  SYNC_CONCURRENCY: number = 8;

  /** Most tenant clusters watched at once (two watch connections each); more waits for a slot. */
  @EnvIntegerInRange(1, 10_000)
  SYNC_MAX_WATCHED_TENANTS: number = 1_000;
}

/** Pure: the limits for a tenant of a lab: the lab's own (catalog `exposure`), else the syncer's defaults. */
export function limitsFrom(config: SyncerConfig, lab?: LabExposure): ExposureLimits {
  return {
    services: lab?.services ?? config.SYNC_MAX_SERVICES,
    ingresses: lab?.ingresses ?? config.SYNC_MAX_INGRESSES,
    ports: parsePortRanges(lab?.ports ?? config.SYNC_ALLOWED_PORTS) ?? [],
  };
}

export function syncSettingsFrom(config: SyncerConfig): SyncSettings {
  return {
    platformId: config.PLATFORM_ID,
    ingressDomain: config.SYNC_INGRESS_DOMAIN,
    ingressClassName: config.SYNC_INGRESS_CLASS,
    ingressTlsIssuer: config.SYNC_INGRESS_TLS_ISSUER,
  };
}
