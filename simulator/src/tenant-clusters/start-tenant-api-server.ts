// [simulator] A REAL kube-apiserver for one claimed tenant, standing in for the one kubeadm runs on its control-plane
// VM: on the lane's etcd under its own prefix, serving a certificate signed by THAT tenant's platform-minted CA for
// the names kubeadm would put on it, and trusting the tenant CA for client certificates, so the platform's own
// credentials and kubeconfigs are proven against a real server. Development and tests only.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tenantClusterClient } from '@kubelabs/kube';
import { findFreePort, laneBinary, startLaneProcess, type LaneProcess } from '@kubelabs/testing';
import type { TenantApiNames } from './plan-tenant-api-names';

export interface TenantApiCredentials {
  caCertificatePem: string;
  caKeyPem: string;
  adminCertificatePem: string;
  adminKeyPem: string;
}

export interface RealTenantApiServer {
  /** The tenants it serves (one, except for the bench's shared server). */
  namespaces: string[];
  port: number;
  /** `https://127.0.0.1:<port>`; its certificate names none of that, so clients verify `serverName`. */
  url: string;
  /** A name on the (first) tenant's serving certificate that is its own (`kube-api.<namespace>.svc`). */
  serverName: string;
  names: TenantApiNames;
  stop(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** What one tenant brings to an API server: its PKI, the names kubeadm would certify, the name clients verify. */
export interface TenantServing {
  namespace: string;
  credentials: TenantApiCredentials;
  names: TenantApiNames;
  serverName: string;
}

/** Signs a serving certificate for `names` with the tenant CA, as kubeadm's `certs apiserver` phase does. */
function issueServingCertificate(dir: string, prefix: string, tenant: TenantServing): void {
  const file = (suffix: string) => `${prefix}${suffix}`;
  writeFileSync(join(dir, file('ca.crt')), tenant.credentials.caCertificatePem);
  writeFileSync(join(dir, file('ca.key')), tenant.credentials.caKeyPem, { mode: 0o600 });
  writeFileSync(
    join(dir, file('apiserver.key')),
    pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
    { mode: 0o600 },
  );
  const sans = [...tenant.names.dns.map((n) => `DNS:${n}`), ...tenant.names.ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(
    join(dir, file('apiserver.ext')),
    `keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`,
  );
  openssl(
    ['req', '-new', '-key', file('apiserver.key'), '-subj', '/CN=kube-apiserver', '-out', file('apiserver.csr')],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      file('apiserver.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      file('apiserver.ext'),
      '-out',
      file('apiserver.crt'),
    ],
    dir,
  );
  rmSync(join(dir, file('ca.key')));
}

/**
 * Starts one kube-apiserver. With one tenant it is that tenant's API server. With several (the bench's idle watched
 * tenants), each is served its own certificate by SNI (`--tls-sni-cert-key`) and authenticated by its own CA, but
 * they share one cluster's objects.
 */
export async function startRealTenantApiServer(options: {
  etcdUrl: string;
  tenants: TenantServing[];
  serviceSubnet: string;
  logDir: string;
}): Promise<RealTenantApiServer> {
  const [first] = options.tenants;
  if (!first) throw new Error('[simulator] a tenant API server needs at least one tenant');
  for (const tenant of options.tenants)
    if (!tenant.names.dns.includes(tenant.serverName))
      throw new Error(`[simulator] ${tenant.serverName} is not among the names kubeadm would certify`);
  const namespace = first.namespace;
  const dir = mkdtempSync(join(tmpdir(), `kubelabs-tenant-api-${namespace}-`));
  let server: LaneProcess | undefined;
  const stop = async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.tenants.forEach((tenant, i) => issueServingCertificate(dir, `t${i}-`, tenant));
    writeFileSync(join(dir, 'client-ca.crt'), options.tenants.map((t) => t.credentials.caCertificatePem).join('\n'));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(dir, 'sa.key'), pem(privateKey), { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const port = await findFreePort();
    const url = `https://127.0.0.1:${port}`;
    const client = tenantClusterClient(
      {
        server: url,
        caCertificatePem: first.credentials.caCertificatePem,
        adminCertificatePem: first.credentials.adminCertificatePem,
        adminKeyPem: first.credentials.adminKeyPem,
        tlsServerName: first.serverName,
      },
      'kubelabs-simulator',
    );
    server = await startLaneProcess({
      name: `tenant-apiserver-${namespace}${options.tenants.length > 1 ? `-and-${options.tenants.length - 1}` : ''}`,
      command: laneBinary('kube-apiserver'),
      args: [
        `--etcd-servers=${options.etcdUrl}`,
        `--etcd-prefix=/tenants/${namespace}`,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--tls-cert-file=${join(dir, 't0-apiserver.crt')}`,
        `--tls-private-key-file=${join(dir, 't0-apiserver.key')}`,
        ...options.tenants
          .slice(1)
          .map(
            (_, i) =>
              `--tls-sni-cert-key=${join(dir, `t${i + 1}-apiserver.crt`)},${join(dir, `t${i + 1}-apiserver.key`)}`,
          ),
        // The tenant CA(s): the platform-minted admin certificate (system:masters) is what authenticates.
        `--client-ca-file=${join(dir, 'client-ca.crt')}`,
        `--cert-dir=${dir}`,
        `--service-cluster-ip-range=${options.serviceSubnet}`,
        '--authorization-mode=Node,RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--endpoint-reconciler-type=none',
        '--profiling=false',
      ],
      logDir: options.logDir,
      ready: async () => (await client.ping({ timeoutMs: 2_000 }), true),
      readyTimeoutMs: 120_000,
    });
    return {
      namespaces: options.tenants.map((t) => t.namespace),
      port,
      url,
      serverName: first.serverName,
      names: first.names,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
