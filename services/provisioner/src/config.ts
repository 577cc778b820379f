// The provisioner's configuration: the platform's variables plus its loop timings, the tenant API addresses and the
// tenant VMs' default bandwidth.
import { Matches, MaxLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { EnvIntegerInRange, PlatformConfig } from '@kubelabs/config';
import { checkBandwidth } from '@kubelabs/domain';
import { defaultNodeImage, nodeImagePattern, type RenderTenantOptions } from './render';

/** `none` turns a limit off: an empty variable means "the default" to the config loader. */
const noLimit = 'none';

/** A bandwidth quantity the container runtime accepts, or `none`. */
const EnvBandwidth = (): PropertyDecorator =>
  ValidateBy({
    name: 'envBandwidth',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (value === noLimit || !checkBandwidth(value)),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be a quantity in bits per second from 1k to 1P (such as 100M, 1G or 512Mi), or none`,
    },
  });

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

  /**
   * Where the provisioner reaches a tenant control plane's SSH (`host:port`) for ssh readiness checks, with the
   * platform's per-tenant key; `{namespace}` is replaced. Workers are reached through the control plane.
   */
  @Matches(/^[^\s:]+:\d{1,5}$/, {
    message: 'TENANT_SSH_ADDRESS_TEMPLATE must be host:port, optionally with {namespace}',
  })
  TENANT_SSH_ADDRESS_TEMPLATE: string = 'ssh.{namespace}.svc:22';

  /** The server URL written into the student's kubeconfig; `{namespace}` is replaced. */
  @Matches(/^https:\/\/\S+$/, {
    message: 'TENANT_API_PUBLIC_URL_TEMPLATE must be an https URL, optionally with {namespace}',
  })
  TENANT_API_PUBLIC_URL_TEMPLATE: string = 'https://kube-api.{namespace}.svc:6443';

  /**
   * A live tenant's objects are server-side applied again at most this often (on the resync pass that follows), which
   * restores any deleted or edited by hand; between two, a pass skips objects whose exact content it applied.
   */
  @EnvIntegerInRange(500, 3_600_000)
  TENANT_REAPPLY_INTERVAL_MS: number = 30_000;

  /** Tenants reconciled at once. */
  @EnvIntegerInRange(1, 64)
  PROVISION_CONCURRENCY: number = 8;

  /**
   * Fair share: the most each tenant VM may receive and send, in bits per second, unless its lab's `network` says
   * otherwise. Written as the `kubernetes.io/ingress-bandwidth` / `egress-bandwidth` annotations on every VM
   * template; only a CNI with bandwidth support enforces them (deploy/README.md). `none`: no annotation, no limit.
   */
  @EnvBandwidth()
  TENANT_INGRESS_BANDWIDTH: string = '100M';

  @EnvBandwidth()
  TENANT_EGRESS_BANDWIDTH: string = '100M';

  /**
   * The platform's node image, which every tenant VM boots unless its lab names its own: a containerDisk built by
   * `deploy/images/build-node-image.sh <minor> --push`, one tag per Kubernetes minor; `{version}` becomes the minor.
   */
  @Matches(nodeImagePattern, {
    message:
      'NODE_IMAGE must be an image reference with {version} for the Kubernetes minor, such as registry.example.com/kubelabs/node:{version}',
  })
  @MaxLength(255)
  NODE_IMAGE: string = defaultNodeImage;
}

/** The render settings the config decides (pure, so tests build them from any config). */
export function renderOptionsFrom(config: ProvisionerConfig): RenderTenantOptions {
  const ingress = config.TENANT_INGRESS_BANDWIDTH;
  const egress = config.TENANT_EGRESS_BANDWIDTH;
  return {
    nodeImage: config.NODE_IMAGE,
    vmBandwidth: { ...(ingress === noLimit ? {} : { ingress }), ...(egress === noLimit ? {} : { egress }) },
  };
}
