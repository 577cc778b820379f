// [bench] The syncer scenario (`npm run bench -- --only syncer`): the time from a Service's creation inside a tenant
// cluster (a REAL kube-apiserver, started by the simulator with the tenant's PKI) to its host Service appearing, p50
// and p99 over a few hundred Services created in waves, while 1, 10 and 50 claimed tenants are watched; and the
// syncer's resident memory per watched tenant. The measured tenant has its own API server; the other watched tenants
// share one each level (each with its own certificate and CA by SNI), so 50 watched tenants cost three API servers.
import { readFileSync } from 'node:fs';
import { parseTenantPkiData } from '@kubelabs/domain';
import { KubeClient, tenantClusterClient, type KubeObject } from '@kubelabs/kube';
import { watchObjects } from '@kubelabs/reconcile';
import type { LaneUrls } from '@kubelabs/testing';
import { startPlatform, type RunningPlatform } from '../../../simulator/src/run-platform';
import { summarizeLatencies, type LatencySummary } from '../measure/summarize-latencies';
import { benchLab } from './bench-labs';

export interface SyncerBenchPlan {
  /** Claimed tenants the syncer watches, in order. */
  levels: number[];
  /** Services created (then deleted) per wave; below the syncer's limit and the quota's node ports (50 each). */
  perWave: number;
  waves: number;
}

export function planSyncerBench({ quick }: { quick: boolean }): SyncerBenchPlan {
  return { levels: [1, 10, 50], perWave: 40, waves: quick ? 2 : 5 };
}

export interface SyncerLevelRow extends LatencySummary {
  watchedTenants: number;
  /** The syncer's resident set once every watched tenant's watches have listed. */
  syncerRssMiB: number;
}

export interface SyncerReport {
  plan: SyncerBenchPlan;
  rows: SyncerLevelRow[];
  /**
   * (RSS at the most tenants − RSS at the level before) / (the tenants added): both measured after waves of work, so
   * the heap's growth from the first waves (which the first level's figure does not include) is left out.
   */
  rssPerWatchedTenantKiB: number;
}

const labId = 'bench-sync';
const waitMs = 60_000;

function rssMiB(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Math.round((Number(line[1]) / 1024) * 10) / 10 : Number.NaN;
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function watchedTenants(platform: RunningPlatform): Promise<number> {
  const text = await (await fetch(`${platform.services.get('syncer')!.url}/metrics`)).text();
  return Number(/^kubelabs_syncer_watched_tenants (\d+)/m.exec(text)?.[1] ?? 0);
}

async function claim(platform: RunningPlatform, userId: string): Promise<string> {
  const res = await fetch(`${platform.claimApiUrl}/v1/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ labId, userId }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/claims answered ${res.status}: ${await res.text()}`);
  return String(((await res.json()) as { tenantId?: string }).tenantId);
}

export async function measureSyncer(
  lanes: LaneUrls,
  instance: string,
  plan: SyncerBenchPlan,
  log: (line: string) => void,
  say: (line: string) => void,
): Promise<SyncerReport> {
  if (!lanes.etcdUrl) throw new Error('the syncer bench needs the local Kubernetes lane (its etcd)');
  const most = Math.max(...plan.levels);
  const platform = await startPlatform({
    natsUrl: lanes.natsUrl,
    mongoUrl: lanes.mongoUrl,
    kubeconfigPath: lanes.kubeconfigPath,
    instance,
    labs: [benchLab(labId, { minReady: most, maxTotal: most })],
    simulator: { bootMs: 50 },
    realTenantApis: { etcdUrl: lanes.etcdUrl, max: plan.levels.length },
    env: { LOG_LEVEL: 'warn', RESYNC_INTERVAL_MS: '10000', EXPOSURE_PUBLIC_HOST: 'labs.example.org' },
    serviceEnv: {
      // Room above one wave: the quota controller frees a deleted wave's node ports a moment after it is gone.
      syncer: { SYNC_MAX_SERVICES: '50' },
      'netpol-enforcer': { QUOTA_SYNCED_NODEPORTS: '50' },
      'pool-manager': { CAPACITY_SOURCE: 'unlimited' },
      provisioner: { PROVISION_CONCURRENCY: '32', RESYNC_INTERVAL_MS: '30000' },
    },
    log,
  });
  try {
    say(`syncer: filling a pool of ${most} tenants`);
    await until(
      `${most} ready tenants`,
      async () => (await platform.persistence.tenants.countDocuments({ labId, state: 'ready' })) >= most,
      180_000,
    );
    // In the order claims take them (oldest ready first), so the first claim gets the measured tenant.
    const tenants = (
      await platform.persistence.tenants.find({ labId, state: 'ready' }).sort({ readyAt: 1, _id: 1 }).lean()
    )
      .slice(0, most)
      .map((t) => ({ id: t._id, namespace: t.namespace }));
    const [active] = tenants;
    const host = KubeClient.create({ kubeconfigPath: lanes.kubeconfigPath, fieldManager: 'kubelabs-bench' });
    const pki = await host.get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: active!.namespace,
      name: 'tenant-pki',
    });
    const credentials = parseTenantPkiData(pki!.data);
    // API servers before the claims, so the syncer's first watches find them.
    const clusters = platform.tenantClusters!;
    const server = await clusters.serve(active!.namespace);
    let from = 1;
    for (const level of plan.levels.slice(1)) {
      await clusters.serveShared(tenants.slice(from, level).map((t) => t.namespace));
      from = level;
    }
    const tenant = tenantClusterClient(
      {
        server: clusters.urlTemplate,
        tlsServerName: server.serverName,
        caCertificatePem: credentials.caCertificatePem,
        adminCertificatePem: credentials.adminCertificatePem,
        adminKeyPem: credentials.adminKeyPem,
      },
      'kubelabs-bench',
    );

    // When each host Service of the measured tenant appeared and went, by its source name.
    const appeared = new Map<string, number>();
    const gone = new Set<string>();
    const hostWatch = watchObjects(
      host,
      {
        apiVersion: 'v1',
        kind: 'Service',
        namespace: active!.namespace,
        labelSelector: `kubelabs.io/component=syncer,kubelabs.io/tenant=${active!.id}`,
      },
      (change) => {
        const name = change.object.metadata?.annotations?.['kubelabs.io/source-name'];
        if (!name) return;
        if (change.type === 'ADDED' && !appeared.has(name)) appeared.set(name, performance.now());
        if (change.type === 'DELETED') gone.add(name);
      },
      { name: 'bench/host-services' },
    );
    await hostWatch.synced;

    const rows: SyncerLevelRow[] = [];
    let claimed = 0;
    try {
      for (const level of plan.levels) {
        while (claimed < level) {
          const tenantId = await claim(platform, `bench-sync-${claimed}`);
          if (tenantId !== tenants[claimed]!.id)
            throw new Error(`claim ${claimed} took tenant ${tenantId}, not ${tenants[claimed]!.id} as planned`);
          claimed++;
        }
        await until(`the syncer to watch ${level} tenants`, async () => (await watchedTenants(platform)) >= level);
        await new Promise((resolve) => setTimeout(resolve, 2_000)); // every first list delivered
        const rss = rssMiB(platform.services.get('syncer')!.child.pid!);
        const latencies: number[] = [];
        const started = performance.now();
        for (let wave = 0; wave < plan.waves; wave++) {
          const names = Array.from({ length: plan.perWave }, (_, i) => `s${level}-${wave}-${i}`);
          const created = new Map<string, number>();
          for (const name of names) {
            await tenant.apply({
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name, namespace: 'default' },
              spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
            });
            created.set(name, performance.now());
          }
          await until(`wave ${wave} mirrored`, () => names.every((n) => appeared.has(n)));
          for (const name of names) latencies.push(appeared.get(name)! - created.get(name)!);
          for (const name of names)
            await tenant.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name });
          await until(`wave ${wave} removed`, () => names.every((n) => gone.has(n)));
        }
        const row = {
          watchedTenants: level,
          syncerRssMiB: rss,
          ...summarizeLatencies(latencies, performance.now() - started),
        };
        say(
          `syncer: ${level} watched tenants: creation to host object p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms over ${row.count}; syncer RSS ${rss} MiB`,
        );
        rows.push(row);
      }
    } finally {
      hostWatch.stop();
    }
    const first = rows.at(-2) ?? rows[0]!;
    const last = rows.at(-1)!;
    return {
      plan,
      rows,
      rssPerWatchedTenantKiB: Math.round(
        ((last.syncerRssMiB - first.syncerRssMiB) * 1024) / Math.max(1, last.watchedTenants - first.watchedTenants),
      ),
    };
  } finally {
    await platform.stop({ graceMs: 10_000 });
  }
}
