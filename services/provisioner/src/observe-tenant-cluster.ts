// I/O only: asks a tenant's own API server for its nodes through the tenant-cluster client (the platform-minted admin
// certificate; TLS verified against the tenant CA for https). Answers null while the API does not answer (booting),
// never throws for that.
import { CoreV1Api } from '@kubernetes/client-node';
import type { TenantCredentials } from '@kubelabs/domain';
import { tenantClusterConfig } from '@kubelabs/kube';
import type { TenantNodeView } from './compute-tenant-readiness';

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
