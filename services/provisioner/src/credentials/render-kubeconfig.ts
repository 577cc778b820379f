// The student's admin kubeconfig, built from the platform-owned credentials so it exists before the tenant's VMs boot
// and survives a control plane rebuilt from its containerDisk (same CA, same client certificate).
import { DomainError, type TenantCredentials } from '@kubelabs/domain';
import { stringify } from 'yaml';
import { adminSubject } from './plan-tenant-credentials';

export interface RenderKubeconfigOptions {
  /** Cluster entry name; `kubernetes` is what kubeadm and the exams use. */
  clusterName?: string;
  /** Server name to verify when `serverUrl` reaches the API through a name its certificate does not carry. */
  tlsServerName?: string;
}

export function renderKubeconfig(
  credentials: Pick<TenantCredentials, 'caCertificatePem' | 'adminCertificatePem' | 'adminKeyPem'>,
  serverUrl: string,
  options: RenderKubeconfigOptions = {},
): string {
  assertHttpsUrl(serverUrl);
  const clusterName = options.clusterName ?? 'kubernetes';
  const userName = adminSubject.commonName;
  const contextName = `${userName}@${clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: {
          server: serverUrl,
          'certificate-authority-data': base64(credentials.caCertificatePem),
          ...(options.tlsServerName ? { 'tls-server-name': options.tlsServerName } : {}),
        },
      },
    ],
    users: [
      {
        name: userName,
        user: {
          'client-certificate-data': base64(credentials.adminCertificatePem),
          'client-key-data': base64(credentials.adminKeyPem),
        },
      },
    ],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName } }],
    'current-context': contextName,
    preferences: {},
  });
}

function assertHttpsUrl(serverUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(serverUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.username || url.password) {
    throw new DomainError('input.invalid', 'the API server URL must be an https:// URL without credentials', {
      serverUrl,
    });
  }
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
