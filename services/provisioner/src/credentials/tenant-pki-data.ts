// The tenant-pki Secret is the one durable copy of a tenant's credentials: the provisioner writes it once and reads it
// back after a crash, so re-rendering the tenant yields the same manifests (and server-side apply stays a no-op).
import { DomainError } from '@kubelabs/domain';
import { bootstrapTokenPattern, type TenantCredentials } from './plan-tenant-credentials';

export const tenantPkiSecretName = 'tenant-pki';

/** Keys of the tenant-pki Secret, named as kubeadm names the files where it helps. */
export const tenantPkiKeys = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  adminCertificate: 'admin.crt',
  adminKey: 'admin.key',
  bootstrapToken: 'bootstrap-token',
  caCertHash: 'ca-cert-hash',
  sshHostKey: 'ssh-host-key',
  sshHostPublicKey: 'ssh-host-key.pub',
} as const;

/** Secret `data` (base64 values) for the credentials; keys in a fixed order. */
export function tenantPkiData(credentials: TenantCredentials): Record<string, string> {
  const data: Record<string, string> = {
    [tenantPkiKeys.caCertificate]: base64(credentials.caCertificatePem),
    [tenantPkiKeys.caKey]: base64(credentials.caKeyPem),
    [tenantPkiKeys.adminCertificate]: base64(credentials.adminCertificatePem),
    [tenantPkiKeys.adminKey]: base64(credentials.adminKeyPem),
    [tenantPkiKeys.bootstrapToken]: base64(credentials.bootstrapToken),
    [tenantPkiKeys.caCertHash]: base64(credentials.caCertHash),
  };
  if (credentials.sshHostKey) {
    data[tenantPkiKeys.sshHostKey] = base64(credentials.sshHostKey.privateKeyPem);
    data[tenantPkiKeys.sshHostPublicKey] = base64(credentials.sshHostKey.publicKey);
  }
  return data;
}

/** The inverse of `tenantPkiData`: credentials from a read-back Secret's `data`. */
export function parseTenantPkiData(data: Record<string, string> | undefined): TenantCredentials {
  const read = (key: string): string => {
    const value = data?.[key];
    if (value === undefined || value === '') {
      throw new DomainError('input.invalid', `the ${tenantPkiSecretName} Secret has no ${key}`, { key });
    }
    return Buffer.from(value, 'base64').toString('utf8');
  };
  const credentials: TenantCredentials = {
    caCertificatePem: read(tenantPkiKeys.caCertificate),
    caKeyPem: read(tenantPkiKeys.caKey),
    adminCertificatePem: read(tenantPkiKeys.adminCertificate),
    adminKeyPem: read(tenantPkiKeys.adminKey),
    bootstrapToken: read(tenantPkiKeys.bootstrapToken),
    caCertHash: read(tenantPkiKeys.caCertHash),
  };
  if (!bootstrapTokenPattern.test(credentials.bootstrapToken)) {
    throw new DomainError('input.invalid', `the ${tenantPkiSecretName} Secret holds a malformed bootstrap token`);
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(credentials.caCertHash)) {
    throw new DomainError('input.invalid', `the ${tenantPkiSecretName} Secret holds a malformed CA certificate hash`);
  }
  if (data?.[tenantPkiKeys.sshHostKey] !== undefined) {
    credentials.sshHostKey = {
      privateKeyPem: read(tenantPkiKeys.sshHostKey),
      publicKey: read(tenantPkiKeys.sshHostPublicKey),
    };
  }
  return credentials;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
