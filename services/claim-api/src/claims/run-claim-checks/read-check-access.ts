// Pure: what lab checks need to reach a tenant, from the two Secrets the claim API may read: the tenant API's CA and
// the platform's admin identity from the stored kubeconfig (tenant-kubeconfig), the platform's SSH key and the
// tenant's SSH host key from tenant-checks. Never the tenant CA's private key (tenant-pki stays unread here).
import { parse } from 'yaml';
import { DomainError, tenantChecksKeys } from '@kubelabs/domain';

export interface CheckAccess {
  caCertificatePem: string;
  adminCertificatePem: string;
  adminKeyPem: string;
  platformSshKeyPem?: string;
  sshHostPublicKey?: string;
}

interface KubeconfigDocument {
  clusters?: { cluster?: Record<string, unknown> }[];
  users?: { user?: Record<string, unknown> }[];
}

export function readCheckAccess(kubeconfigYaml: string, checksData: Record<string, string> | null): CheckAccess {
  let document: KubeconfigDocument;
  try {
    document = parse(kubeconfigYaml) as KubeconfigDocument;
  } catch {
    throw unreadable('its kubeconfig is not YAML');
  }
  const cluster = document?.clusters?.[0]?.cluster;
  const user = document?.users?.[0]?.user;
  const decode = (key: string) => {
    const value = checksData?.[key];
    return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  };
  const platformSshKeyPem = decode(tenantChecksKeys.platformSshKey);
  const sshHostPublicKey = decode(tenantChecksKeys.sshHostPublicKey);
  return {
    caCertificatePem: field(cluster, 'certificate-authority-data'),
    adminCertificatePem: field(user, 'client-certificate-data'),
    adminKeyPem: field(user, 'client-key-data'),
    ...(platformSshKeyPem ? { platformSshKeyPem } : {}),
    ...(sshHostPublicKey ? { sshHostPublicKey } : {}),
  };
}

/** The request is fine; the tenant's Secret is not. */
function unreadable(why: string): DomainError {
  return new DomainError('tenant.not_found', `the tenant's credentials cannot be read: ${why}`);
}

/** A base64 field of a kubeconfig entry, decoded; a tenant problem when missing. */
function field(entry: Record<string, unknown> | undefined, key: string): string {
  const value = entry?.[key];
  if (typeof value !== 'string' || value === '') throw unreadable(`its kubeconfig has no ${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
}
