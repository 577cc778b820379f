// [simulator] Runs the whole platform on the lanes for development and end-to-end tests: loads labs, registers
// simulated host nodes, starts the KubeVirt/tenant-cluster simulator in-process and the six services as real
// processes wired to it. Pointed at a real cluster with KubeVirt, the services run unchanged without this file.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Lab } from '@kubelabs/domain';
import { loadCatalogDirectory, syncCatalog, formatCatalogErrors } from '@kubelabs/catalog';
import { Persistence } from '@kubelabs/persistence';
import { laneStateDir } from '@kubelabs/testing';
import { KubeVirtSimulator } from './kubevirt-simulator';
import type { BootstrapFailure } from './tenant-scenarios';
import { registerHostNodes } from './register-host-nodes';
import { serviceNames, startServiceProcess, type ServiceName, type ServiceProcess } from './service-process';
import { RealTenantClusters } from './tenant-clusters/tenant-clusters';

export interface PlatformOptions {
  natsUrl: string;
  /** A MongoDB URL; its database name is replaced by `database`. */
  mongoUrl: string;
  kubeconfigPath: string;
  /** Isolates this platform on shared servers: NATS prefix, database, PLATFORM_ID. Random when omitted. */
  instance?: string;
  labs?: Lab[];
  catalogDir?: string;
  services?: readonly ServiceName[];
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  simulator?: {
    bootMs?: number;
    failRatio?: number;
    hostNodes?: number;
    hostCpu?: number;
    hostMemoryGi?: number;
    /** The first `count` tenants of a lab report this failed bootstrap (told to the simulator before it starts). */
    bootstrapFailures?: (BootstrapFailure & { labId: string; count?: number })[];
  };
  /**
   * Real kube-apiservers for claimed tenants, started on request (`tenantClusters.serve(namespace)`) on this etcd; the
   * syncer reaches tenant APIs through them (the light stand-in keeps answering the provisioner's readiness checks).
   */
  realTenantApis?: { etcdUrl: string; max?: number };
  claimApiPort?: number;
  devApiKey?: string;
  /**
   * Chat adapters to start next to the services, each with the provider's settings (secrets included) as its
   * environment; each gets its own claim-scoped API key. Absent: none is started.
   */
  adapters?: Partial<Record<AdapterName, Record<string, string>>>;
  log?: (line: string) => void;
}

export interface RunningPlatform {
  instance: string;
  env: Record<string, string>;
  claimApiUrl: string;
  apiKey: string;
  services: Map<ServiceName, ServiceProcess>;
  /** The chat adapters started (see PlatformOptions.adapters). */
  adapters: Map<AdapterName, ServiceProcess>;
  persistence: Persistence;
  simulator: KubeVirtSimulator;
  /** Present when `realTenantApis` was given. */
  tenantClusters?: RealTenantClusters;
  restart(name: ServiceName, signal?: NodeJS.Signals): Promise<ServiceProcess>;
  /**
   * Stops the services together (SIGTERM, SIGKILL after `graceMs`, default 30 s), then the simulator and the
   * MongoDB connection, each given at most `graceMs` too: a server that is already gone must not hold the stop up.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const instance = options.instance ?? `p${randomBytes(4).toString('hex')}`;
  const mongo = new URL(options.mongoUrl);
  mongo.pathname = `/${instance.replace(/-/g, '_')}`;
  const apiKey = options.devApiKey ?? `dev_${randomBytes(18).toString('base64url')}`;
  const log = options.log ?? (() => undefined);

  const persistence = await Persistence.connect(mongo.toString());
  const labs = options.labs ?? (await loadLabs(options.catalogDir ?? 'deploy/catalog'));
  await syncCatalog(persistence, labs, { prune: true });
  // Each platform instance gets its own simulated host nodes, so parallel tests plan capacity independently.
  const hostLabel = 'simulator.kubelabs.io/host-pool';
  await registerHostNodes(options.kubeconfigPath, {
    count: options.simulator?.hostNodes ?? 3,
    cpu: options.simulator?.hostCpu ?? 32,
    memoryGi: options.simulator?.hostMemoryGi ?? 64,
    namePrefix: `${instance}-host`,
    labels: { [hostLabel]: instance },
  });

  const simulator = new KubeVirtSimulator({
    kubeconfig: options.kubeconfigPath,
    bootMs: options.simulator?.bootMs ?? 3000,
    failRatio: options.simulator?.failRatio ?? 0,
    labelSelector: `kubelabs.io/platform=${instance}`,
    log,
  });
  for (const { labId, count, ...failure } of options.simulator?.bootstrapFailures ?? [])
    simulator.scenarios.failBootstrap(labId, failure, count);
  await simulator.start();
  let tenantClusters: RealTenantClusters | undefined;
  if (options.realTenantApis) {
    tenantClusters = new RealTenantClusters({
      kubeconfigPath: options.kubeconfigPath,
      etcdUrl: options.realTenantApis.etcdUrl,
      logDir: join(laneStateDir(), 'test-logs'),
      ...(options.realTenantApis.max ? { max: options.realTenantApis.max } : {}),
    });
    await tenantClusters.start();
  }

  const env: Record<string, string> = {
    NATS_URL: options.natsUrl,
    MONGO_URL: mongo.toString(),
    KUBECONFIG: options.kubeconfigPath,
    NATS_SUBJECT_PREFIX: instance,
    PLATFORM_ID: instance,
    DEV_API_KEY: apiKey,
    // One sealing key per platform, shared by the claim API (seals) and the webhook dispatcher (opens).
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    TENANT_API_URL_TEMPLATE: simulator.tenantApiUrlTemplate,
    HOST_NODE_SELECTOR: `${hostLabel}=${instance}`,
    READINESS_POLL_MS: '250',
    RESYNC_INTERVAL_MS: '2000',
    ...options.env,
  };
  const services = new Map<ServiceName, ServiceProcess>();
  const start = async (name: ServiceName) => {
    const extra = {
      ...(name === 'claim-api' && options.claimApiPort ? { CLAIM_API_PORT: String(options.claimApiPort) } : {}),
      ...(name === 'syncer' && tenantClusters
        ? {
            TENANT_API_URL_TEMPLATE: tenantClusters.urlTemplate,
            TENANT_API_SERVER_NAME_TEMPLATE: tenantClusters.serverNameTemplate,
          }
        : {}),
      ...options.serviceEnv?.[name],
    };
    const proc = await startServiceProcess(
      name,
      { ...env, ...extra },
      { port: name === 'claim-api' ? options.claimApiPort : undefined },
    );
    proc.child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
    services.set(name, proc);
    return proc;
  };
  try {
    await Promise.all((options.services ?? serviceNames).map(start));
  } catch (error) {
    await stopAll({ services, simulator, tenantClusters, persistence, graceMs: 5_000 });
    throw error;
  }
  const claimApi = services.get('claim-api');
  const adapters = new Map<AdapterName, ServiceProcess>();
  try {
    for (const [name, adapterEnv] of Object.entries(options.adapters ?? {}) as [
      AdapterName,
      Record<string, string>,
    ][]) {
      const key = await createClaimKey(claimApi?.url ?? '', apiKey, name);
      const proc = await startServiceProcess(name, {
        NATS_URL: env.NATS_URL!,
        NATS_SUBJECT_PREFIX: instance,
        CLAIM_API_URL: claimApi?.url ?? '',
        CLAIM_API_KEY: key,
        ...adapterEnv,
      });
      proc.child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
      adapters.set(name, proc);
    }
  } catch (error) {
    await stopAll({
      services: new Map([...services, ...adapters]),
      simulator,
      tenantClusters,
      persistence,
      graceMs: 5_000,
    });
    throw error;
  }
  return {
    instance,
    env,
    claimApiUrl: claimApi?.url ?? '',
    apiKey,
    services,
    adapters,
    persistence,
    simulator,
    ...(tenantClusters ? { tenantClusters } : {}),
    restart: async (name, signal = 'SIGTERM') => {
      await services.get(name)?.stop(signal);
      return start(name);
    },
    stop: async ({ graceMs = 30_000 } = {}) =>
      stopAll({ services: new Map([...services, ...adapters]), simulator, tenantClusters, persistence, graceMs }),
  };
}

async function stopAll({
  services,
  simulator,
  tenantClusters,
  persistence,
  graceMs,
}: {
  services: Map<string, ServiceProcess>;
  simulator: KubeVirtSimulator;
  tenantClusters: RealTenantClusters | undefined;
  persistence: Persistence;
  graceMs: number;
}): Promise<void> {
  await Promise.allSettled([...services.values()].map((s) => s.stop('SIGTERM', graceMs)));
  await Promise.allSettled([
    within(simulator.stop(), graceMs),
    within(tenantClusters?.stop() ?? Promise.resolve(), graceMs),
    within(persistence.close(), graceMs),
  ]);
}

/** Waits for `work`, but no longer than `ms`; what it was doing is abandoned, not failed. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export type AdapterName = 'slack-adapter' | 'discord-adapter';

/**
 * The chat adapters whose secrets are set in the environment: Slack with SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN,
 * Discord with DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (API URLs optional).
 */
export function chatAdaptersFromEnv(env: NodeJS.ProcessEnv): Partial<Record<AdapterName, Record<string, string>>> {
  const pick = (names: string[]) =>
    Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]!]] : []))) as Record<string, string>;
  const adapters: Partial<Record<AdapterName, Record<string, string>>> = {};
  if (env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN)
    adapters['slack-adapter'] = pick(['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_API_URL']);
  if (env.DISCORD_PUBLIC_KEY && env.DISCORD_APPLICATION_ID && env.DISCORD_BOT_TOKEN)
    adapters['discord-adapter'] = pick([
      'DISCORD_PUBLIC_KEY',
      'DISCORD_APPLICATION_ID',
      'DISCORD_BOT_TOKEN',
      'DISCORD_API_URL',
    ]);
  return adapters;
}

/** An adapter's own API key with the claim scope, made with the admin key as an operator would. */
async function createClaimKey(claimApiUrl: string, adminKey: string, name: string): Promise<string> {
  const res = await fetch(`${claimApiUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['claim'] }),
  });
  if (res.status !== 201) throw new Error(`creating the ${name} API key answered ${res.status}`);
  return ((await res.json()) as { key: string }).key;
}

async function loadLabs(dir: string): Promise<Lab[]> {
  const { labs, errors } = await loadCatalogDirectory(dir);
  if (errors.length > 0) throw new Error(`the catalog in ${dir} is invalid:\n${formatCatalogErrors(errors)}`);
  return labs;
}
