// I/O only: asks a tenant's own API server for its nodes, its nodes' bootstrap outcomes and the lab's readiness checks
// through the tenant-cluster client (the platform-minted admin certificate; TLS verified against the tenant CA for
// https). Answers null while the API does not answer (booting), never throws for that.
import { CoreV1Api } from '@kubernetes/client-node';
import { runChecks, getTenantObject, type DeclaredCheck } from '@kubelabs/checks';
import {
  bootstrapOutcome,
  parseBootstrapOutcome,
  planBootstrapProgress,
  platformSshUser,
  type BootstrapProgress,
  type CheckResult,
  type NodeBootstrapOutcome,
  type TenantCredentials,
} from '@kubelabs/domain';
import { tenantClusterConfig } from '@kubelabs/kube';
import type { TenantNodeView } from './compute-tenant-readiness';

/** Where the platform reaches one tenant: its API, and its control plane's SSH (for ssh checks). */
export interface TenantEndpoints {
  apiUrl: string;
  /** `host:port` of the control plane's SSH as the platform reaches it. */
  sshAddress: string;
}

/** The bootstrap progress from the outcome ConfigMaps; null while the API does not answer. */
export async function observeTenantBootstrap(
  serverUrl: string,
  credentials: TenantCredentials,
  expectedNodes: string[],
  timeoutMs = 3_000,
): Promise<BootstrapProgress | null> {
  const kc = tenantClusterConfig({ server: serverUrl, ...credentials });
  const selector = encodeURIComponent(`${bootstrapOutcome.label}=${bootstrapOutcome.labelValue}`);
  try {
    const list = await getTenantObject<{ items?: { data?: Record<string, string> }[] }>(
      kc,
      `/api/v1/namespaces/${bootstrapOutcome.namespace}/configmaps?labelSelector=${selector}`,
      timeoutMs,
    );
    const outcomes = (list?.items ?? [])
      .map((item) => parseBootstrapOutcome(item.data))
      .filter((outcome): outcome is NodeBootstrapOutcome => outcome !== null);
    return planBootstrapProgress(outcomes, expectedNodes);
  } catch {
    return null;
  }
}

/** The lab's readiness checks, observed and evaluated; read-only, each request bounded. */
export function observeReadinessChecks(
  endpoints: TenantEndpoints,
  credentials: TenantCredentials,
  checks: readonly DeclaredCheck[],
  workerCount: number,
  timeoutMs = 3_000,
): Promise<CheckResult[]> {
  const [host = '', port = '22'] = splitHostPort(endpoints.sshAddress);
  return runChecks(checks, {
    api: tenantClusterConfig({ server: endpoints.apiUrl, ...credentials }),
    ...(credentials.platformSshKey
      ? {
          ssh: {
            host,
            port: Number(port),
            username: platformSshUser,
            privateKey: credentials.platformSshKey.privateKeyPem,
            ...(credentials.sshHostKey ? { hostPublicKey: credentials.sshHostKey.publicKey } : {}),
          },
        }
      : {}),
    workerCount,
    requestTimeoutMs: timeoutMs,
  });
}

function splitHostPort(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return at < 0 ? [address, '22'] : [address.slice(0, at), address.slice(at + 1)];
}

export async function observeTenantNodes(
  serverUrl: string,
  credentials: TenantCredentials,
  timeoutMs = 3_000,
): Promise<TenantNodeView[] | null> {
  // The typed core client, not discovery-driven KubeClient.list: one request, and the simulator's stand-in tenant API
  // answers only the node list.
  const api = tenantClusterConfig({ server: serverUrl, ...credentials }).makeApiClient(CoreV1Api);
  let timer: NodeJS.Timeout | undefined;
  try {
    const nodes = await Promise.race([
      api.listNode({ timeoutSeconds: Math.ceil(timeoutMs / 1000) }).then((list) => list.items),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return nodes.map((node) => ({
      name: node.metadata?.name ?? '',
      ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    }));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
