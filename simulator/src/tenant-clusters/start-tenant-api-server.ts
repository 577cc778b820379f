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
  namespace: string;
  port: number;
  /** `https://127.0.0.1:<port>`; its certificate names none of that, so clients verify `serverName`. */
  url: string;
  /** A name on the serving certificate that is this tenant's own (`kube-api.<namespace>.svc`). */
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

/** Signs a serving certificate for `names` with the tenant CA, as kubeadm's `certs apiserver` phase does. */
function issueServingCertificate(dir: string, credentials: TenantApiCredentials, names: TenantApiNames): void {
  writeFileSync(join(dir, 'ca.crt'), credentials.caCertificatePem);
  writeFileSync(join(dir, 'ca.key'), credentials.caKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'apiserver.key'), pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), {
    mode: 0o600,
  });
  const sans = [...names.dns.map((n) => `DNS:${n}`), ...names.ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(
    join(dir, 'apiserver.ext'),
    `keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`,
  );
  openssl(['req', '-new', '-key', 'apiserver.key', '-subj', '/CN=kube-apiserver', '-out', 'apiserver.csr'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'apiserver.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'apiserver.ext',
      '-out',
      'apiserver.crt',
    ],
    dir,
  );
  rmSync(join(dir, 'ca.key'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(join(dir, 'sa.key'), pem(privateKey), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
}

export async function startRealTenantApiServer(options: {
  etcdUrl: string;
  namespace: string;
  credentials: TenantApiCredentials;
  names: TenantApiNames;
  serviceSubnet: string;
  serverName: string;
  logDir: string;
}): Promise<RealTenantApiServer> {
  const { namespace, credentials, names } = options;
  if (!names.dns.includes(options.serverName))
    throw new Error(`[simulator] ${options.serverName} is not among the names kubeadm would certify`);
  const dir = mkdtempSync(join(tmpdir(), `kubelabs-tenant-api-${namespace}-`));
  let server: LaneProcess | undefined;
  const stop = async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    issueServingCertificate(dir, credentials, names);
    const port = await findFreePort();
    const url = `https://127.0.0.1:${port}`;
    const client = tenantClusterClient(
      {
        server: url,
        caCertificatePem: credentials.caCertificatePem,
        adminCertificatePem: credentials.adminCertificatePem,
        adminKeyPem: credentials.adminKeyPem,
        tlsServerName: options.serverName,
      },
      'kubelabs-simulator',
    );
    server = await startLaneProcess({
      name: `tenant-apiserver-${namespace}`,
      command: laneBinary('kube-apiserver'),
      args: [
        `--etcd-servers=${options.etcdUrl}`,
        `--etcd-prefix=/tenants/${namespace}`,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
        `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
        // The tenant CA: the platform-minted admin certificate (system:masters) is what authenticates.
        `--client-ca-file=${join(dir, 'ca.crt')}`,
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
    return { namespace, port, url, serverName: options.serverName, names, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
