// I/O only: asks a tenant's own API server for its nodes, authenticating with the platform-minted admin certificate.
// Answers null while the API does not answer (booting), never throws for that. (client-node refuses plain http unless
// TLS verification is off; TLS is verified against the tenant CA for every https URL.)
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { TenantCredentials } from './credentials';
import type { TenantNodeView } from './compute-tenant-readiness';

export async function observeTenantNodes(
  serverUrl: string,
  credentials: TenantCredentials,
  timeoutMs = 3_000,
): Promise<TenantNodeView[] | null> {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'tenant',
        server: serverUrl,
        caData: Buffer.from(credentials.caCertificatePem).toString('base64'),
        skipTLSVerify: serverUrl.startsWith('http:'),
      },
    ],
    users: [
      {
        name: 'admin',
        certData: Buffer.from(credentials.adminCertificatePem).toString('base64'),
        keyData: Buffer.from(credentials.adminKeyPem).toString('base64'),
      },
    ],
    contexts: [{ name: 'tenant', cluster: 'tenant', user: 'admin' }],
    currentContext: 'tenant',
  });
  const api = kc.makeApiClient(CoreV1Api);
  try {
    const list = await Promise.race([
      api.listNode({ timeoutSeconds: Math.ceil(timeoutMs / 1000) }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return list.items.map((node) => ({
      name: node.metadata?.name ?? '',
      ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    }));
  } catch {
    return null;
  }
}
