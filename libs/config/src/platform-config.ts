// The variables every service shares: where NATS, MongoDB and the Kubernetes API are, and how to log and listen.
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { EnvInteger, EnvIntegerInRange } from './load-config';

export class PlatformConfig {
  @Matches(/^(nats|tls|ws|wss):\/\/[^\s]+$/, { message: 'NATS_URL must be a nats:// URL' })
  NATS_URL: string = '';

  @Matches(/^mongodb(\+srv)?:\/\/[^\s]+\/[A-Za-z0-9_-]+(\?.*)?$/, {
    message: 'MONGO_URL must be a mongodb:// URL that names a database',
  })
  MONGO_URL: string = '';

  /** Path of a kubeconfig; when absent the service uses its in-cluster service account. */
  @IsOptional()
  @IsString()
  KUBECONFIG?: string = undefined;

  /** Prefix for every NATS subject and stream name, so several platforms (or tests) can share one NATS server. */
  @Matches(/^[a-z0-9_-]*$/, { message: 'NATS_SUBJECT_PREFIX must be lower-case letters, digits, - or _' })
  NATS_SUBJECT_PREFIX: string = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @EnvIntegerInRange(0, 65535)
  HTTP_PORT: number = 0;

  /** Grace period for draining consumers and in-flight requests on SIGTERM. */
  @EnvIntegerInRange(0, 120_000)
  SHUTDOWN_GRACE_MS: number = 10_000;

  /**
   * Names this platform instance on the host cluster (label `kubelabs.io/platform`), so several platforms, or test
   * runs, can share one host cluster without collecting each other's namespaces.
   */
  @Matches(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, {
    message: 'PLATFORM_ID must be a DNS label of at most 32 characters',
  })
  PLATFORM_ID: string = 'default';

  /**
   * Which proxies may tell the services a client's address (X-Forwarded-For): empty trusts none (the peer address is
   * the client), a number trusts that many hops, otherwise a comma-separated list of addresses or CIDRs (the ingress
   * controller's). Trusting every proxy would let any client forge its address and dodge per-client limits.
   */
  @Matches(/^(|[0-9]{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/, {
    message: 'TRUST_PROXY must be empty, a hop count, or a comma-separated list of addresses or CIDRs',
  })
  TRUST_PROXY: string = '';

  /** Replicas of each JetStream stream: 1 on a single server, 3 on a three-node NATS cluster in production. */
  @EnvInteger()
  @IsIn([1, 3, 5], { message: 'NATS_STREAM_REPLICAS must be 1, 3 or 5' })
  NATS_STREAM_REPLICAS: number = 1;
}
