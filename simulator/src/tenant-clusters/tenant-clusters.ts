// [simulator] Real tenant API servers on request: for a claimed tenant, read its tenant-pki Secret and its
// control-plane VM's cloud-init from the host, derive the certificate's names as kubeadm would, and start a real
// kube-apiserver on the lane's etcd (start-tenant-api-server.ts), reachable through one SNI router. A few at a time
// (`max`); the light HTTP stand-in (answer-tenant-api.ts) keeps answering for the bulk. Tests and development only.
import { parseTenantPkiData, tenantSecretNames, labelKeys } from '@kubelabs/domain';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { simulatedIp } from '../hash-name';
import { vmKey, type VirtualMachine } from '../virtual-machine';
import { planTenantApiNames, readKubeadmConfig } from './plan-tenant-api-names';
import { startTenantApiRouter, type TenantApiRouter } from './route-tenant-api';
import { startRealTenantApiServer, type RealTenantApiServer, type TenantServing } from './start-tenant-api-server';

export interface RealTenantClustersOptions {
  kubeconfigPath: string;
  /** The lane's etcd; each tenant's API server keeps its objects under `/tenants/<namespace>`. */
  etcdUrl: string;
  logDir: string;
  /** Real API servers at once (each costs about 150 MB and a few seconds to start). Default 4. */
  max?: number;
}

/** The name the platform asks TLS to verify for a tenant's API, as the claim API's kubeconfig does. */
export const tenantApiServerNameTemplate = 'kube-api.{namespace}.svc';

type SecretObject = KubeObject & { data?: Record<string, string> };
type VmWithVolumes = VirtualMachine & {
  spec?: { template?: { spec?: { volumes?: { cloudInitNoCloud?: { secretRef?: { name?: string } } }[] } } };
};

export class RealTenantClusters {
  private readonly host: KubeClient;
  private readonly servers = new Map<string, Promise<RealTenantApiServer>>();
  private readonly routes = new Map<string, number>();
  private router: TenantApiRouter | undefined;

  constructor(private readonly options: RealTenantClustersOptions) {
    this.host = KubeClient.create({ kubeconfigPath: options.kubeconfigPath, fieldManager: 'kubelabs-simulator' });
  }

  async start(): Promise<void> {
    this.router ??= await startTenantApiRouter((name) => this.routes.get(name));
  }

  /** `https://127.0.0.1:<router port>`: the platform's TENANT_API_URL_TEMPLATE for real tenant API servers. */
  get urlTemplate(): string {
    if (!this.router) throw new Error('[simulator] real tenant clusters not started');
    return `https://127.0.0.1:${this.router.port}`;
  }

  readonly serverNameTemplate = tenantApiServerNameTemplate;

  /** Starts (once) the real API server of the tenant in `namespace`; refuses past `max`. */
  serve(namespace: string): Promise<RealTenantApiServer> {
    return this.serveTogether([namespace]);
  }

  /**
   * One real API server for several tenants at once, each with its own certificate (by SNI) and CA, sharing one
   * cluster's objects: for the bench, which watches many tenants without a server each. Counts as one against `max`.
   */
  serveShared(namespaces: string[]): Promise<RealTenantApiServer> {
    return this.serveTogether(namespaces);
  }

  async release(namespace: string): Promise<void> {
    const server = await this.servers.get(namespace)?.catch(() => undefined);
    if (!server) return void this.servers.delete(namespace);
    for (const served of server.namespaces) this.servers.delete(served);
    for (const [name, port] of this.routes) if (port === server.port) this.routes.delete(name);
    await server.stop();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.servers.keys()].map((namespace) => this.release(namespace)));
    await this.router?.close();
    this.router = undefined;
  }

  private serveTogether(namespaces: string[]): Promise<RealTenantApiServer> {
    const running = this.servers.get(namespaces[0] ?? '');
    if (running && namespaces.length === 1) return running;
    if (namespaces.some((namespace) => this.servers.has(namespace)))
      return Promise.reject(new Error('[simulator] a tenant already has its API server'));
    const max = this.options.max ?? 4;
    if (new Set(this.servers.values()).size >= max)
      return Promise.reject(new Error(`[simulator] at most ${max} real tenant API servers run at once`));
    const starting = (async () => {
      await this.start();
      const tenants = await Promise.all(namespaces.map((namespace) => this.readTenant(namespace)));
      const server = await startRealTenantApiServer({
        etcdUrl: this.options.etcdUrl,
        tenants: tenants.map((t) => t.serving),
        serviceSubnet: tenants[0]!.serviceSubnet,
        logDir: this.options.logDir,
      });
      // Route only the names that are each tenant's own; `kubernetes.default` and friends are on every tenant's.
      for (const { serving } of tenants)
        for (const name of serving.names.dns) if (name.includes(serving.namespace)) this.routes.set(name, server.port);
      return server;
    })();
    for (const namespace of namespaces) this.servers.set(namespace, starting);
    starting.catch(() => {
      for (const namespace of namespaces) this.servers.delete(namespace);
    });
    return starting;
  }

  private async readTenant(namespace: string): Promise<{ serving: TenantServing; serviceSubnet: string }> {
    const secret = await this.host.get<SecretObject>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace,
      name: tenantSecretNames.pki,
    });
    if (!secret) throw new Error(`[simulator] ${namespace} has no ${tenantSecretNames.pki} Secret`);
    const credentials = parseTenantPkiData(secret.data);
    const [controlPlane] = (await this.host.list('kubevirt.io/v1', 'VirtualMachine', {
      namespace,
      labelSelector: `${labelKeys.nodeRole}=control-plane`,
    })) as unknown as VmWithVolumes[];
    if (!controlPlane) throw new Error(`[simulator] ${namespace} has no control-plane VirtualMachine`);
    const secretName = controlPlane.spec?.template?.spec?.volumes?.find((v) => v.cloudInitNoCloud)?.cloudInitNoCloud
      ?.secretRef?.name;
    const userDataSecret = secretName
      ? await this.host.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name: secretName })
      : undefined;
    const userData = Buffer.from(userDataSecret?.data?.userdata ?? '', 'base64').toString('utf8');
    const kubeadmConfig = readKubeadmConfig(userData);
    if (!kubeadmConfig) throw new Error(`[simulator] no kubeadm configuration in ${namespace}'s cloud-init`);
    const names = planTenantApiNames(kubeadmConfig, {
      hostname: controlPlane.spec?.template?.spec?.hostname ?? controlPlane.metadata.name,
      advertiseAddress: simulatedIp(vmKey(controlPlane)),
    });
    const serviceSubnet = /serviceSubnet:\s*(\S+)/.exec(kubeadmConfig)?.[1] ?? '10.96.0.0/12';
    return {
      serving: {
        namespace,
        credentials,
        names,
        serverName: tenantApiServerNameTemplate.replace('{namespace}', namespace),
      },
      serviceSubnet,
    };
  }
}
