// A client for a tenant's own Kubernetes API, authenticated with the platform-minted admin certificate and verifying
// the server against the tenant CA. The provisioner reads nodes through it; the enforcer and the syncer watch the
// tenant's Services and Ingresses through it.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './kube-client';

export interface TenantClusterAccess {
  /** The tenant API server's URL as the platform reaches it (`https://kube-api.<namespace>.svc:6443`). */
  server: string;
  caCertificatePem: string;
  adminCertificatePem: string;
  adminKeyPem: string;
  /** The name the server's certificate is checked against, when the URL's host is not one of its names. */
  tlsServerName?: string;
}

export function tenantClusterConfig(access: TenantClusterAccess): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'tenant',
        server: access.server,
        caData: Buffer.from(access.caCertificatePem).toString('base64'),
        // client-node refuses plain http unless verification is off (the simulator's stand-in API); https verifies.
        skipTLSVerify: access.server.startsWith('http:'),
        ...(access.tlsServerName ? { tlsServerName: access.tlsServerName } : {}),
      },
    ],
    users: [
      {
        name: 'platform-admin',
        certData: Buffer.from(access.adminCertificatePem).toString('base64'),
        keyData: Buffer.from(access.adminKeyPem).toString('base64'),
      },
    ],
    contexts: [{ name: 'tenant', cluster: 'tenant', user: 'platform-admin' }],
    currentContext: 'tenant',
  });
  return kc;
}

/** A KubeClient for one tenant cluster; `fieldManager` names the component that writes through it. */
export function tenantClusterClient(access: TenantClusterAccess, fieldManager: string): KubeClient {
  return new KubeClient(tenantClusterConfig(access), fieldManager);
}
