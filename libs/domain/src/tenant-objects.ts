// What every component agrees on about a tenant's objects in the host cluster: the ownership label keys, the names of
// the Secrets the provisioner writes (and the enforcer, syncer and claim API read), and the tenant-pki Secret's
// layout, which is the one durable copy of a tenant cluster's credentials. Pure: names and (de)serialisation only.
import { DomainError } from './domain-error';

export const labelKeys = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** The platform instance (several may share a host cluster, as parallel tests do). */
  platform: 'kubelabs.io/platform',
  tenant: 'kubelabs.io/tenant',
  lab: 'kubelabs.io/lab',
  kubernetesVersion: 'kubelabs.io/kubernetes-version',
  nodeRole: 'kubelabs.io/node-role',
} as const;

export const managedByValue = 'kubelabs';

/** Selects every object of one platform instance. */
export function platformSelector(platformId: string): string {
  return `${labelKeys.managedBy}=${managedByValue},${labelKeys.platform}=${platformId}`;
}

export const tenantSecretNames = {
  /** The tenant cluster's CA, admin certificate, bootstrap token and SSH host key (see `tenantPkiKeys`). */
  pki: 'tenant-pki',
  /** The student's kubeconfig, served by the claim API. */
  kubeconfig: 'tenant-kubeconfig',
  /** The student's SSH public key, propagated into the VMs by KubeVirt's guest agent. */
  sshAuthorizedKeys: 'ssh-authorized-keys',
  /**
   * What lab checks need beyond the kubeconfig: the platform's SSH key and the tenant's SSH host key (public). Apart
   * from tenant-pki, so the claim API grades without ever reading the tenant CA's private key.
   */
  checks: 'tenant-checks',
} as const;

/** Keys of the tenant-checks Secret (the same names as in tenant-pki). */
export const tenantChecksKeys = {
  platformSshKey: 'platform-ssh-key',
  sshHostPublicKey: 'ssh-host-key.pub',
} as const;

export const kubeconfigSecretKey = 'kubeconfig';

export interface SshHostKey {
  /** SEC1 PEM ("EC PRIVATE KEY"), which sshd reads for ECDSA host keys. */
  privateKeyPem: string;
  /** OpenSSH one-line form, `ecdsa-sha2-nistp256 AAAA...`, ready for a known_hosts entry. */
  publicKey: string;
}

/** Everything secret about one tenant cluster. Lives only in Secrets; never log it. */
export interface TenantCredentials {
  caCertificatePem: string;
  caKeyPem: string;
  adminCertificatePem: string;
  adminKeyPem: string;
  /** kubeadm bootstrap token, `<id>.<secret>`. */
  bootstrapToken: string;
  /** `sha256:<hex>` of the CA's DER SubjectPublicKeyInfo, for `kubeadm join --discovery-token-ca-cert-hash`. */
  caCertHash: string;
  sshHostKey?: SshHostKey;
  /**
   * The platform's own SSH key for this tenant (same layout as a host key): its public half is authorized for the
   * `kubelabs` account on every node, so lab checks can run scripts there. Absent on tenants minted before it existed.
   */
  platformSshKey?: SshHostKey;
}

/** The account the platform's SSH key logs in to on every tenant node (passwordless sudo, never the student's). */
export const platformSshUser = 'kubelabs';

export const bootstrapTokenPattern = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

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
  platformSshKey: 'platform-ssh-key',
  platformSshPublicKey: 'platform-ssh-key.pub',
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
  if (credentials.platformSshKey) {
    data[tenantPkiKeys.platformSshKey] = base64(credentials.platformSshKey.privateKeyPem);
    data[tenantPkiKeys.platformSshPublicKey] = base64(credentials.platformSshKey.publicKey);
  }
  return data;
}

/** The inverse of `tenantPkiData`: credentials from a read-back Secret's `data`. */
export function parseTenantPkiData(data: Record<string, string> | undefined): TenantCredentials {
  const read = (key: string): string => {
    const value = data?.[key];
    if (value === undefined || value === '') {
      throw new DomainError('input.invalid', `the ${tenantSecretNames.pki} Secret has no ${key}`, { key });
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
    throw new DomainError('input.invalid', `the ${tenantSecretNames.pki} Secret holds a malformed bootstrap token`);
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(credentials.caCertHash)) {
    throw new DomainError('input.invalid', `the ${tenantSecretNames.pki} Secret holds a malformed CA certificate hash`);
  }
  if (data?.[tenantPkiKeys.sshHostKey] !== undefined) {
    credentials.sshHostKey = {
      privateKeyPem: read(tenantPkiKeys.sshHostKey),
      publicKey: read(tenantPkiKeys.sshHostPublicKey),
    };
  }
  if (data?.[tenantPkiKeys.platformSshKey] !== undefined) {
    credentials.platformSshKey = {
      privateKeyPem: read(tenantPkiKeys.platformSshKey),
      publicKey: read(tenantPkiKeys.platformSshPublicKey),
    };
  }
  return credentials;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
