// Tests for the platform-owned tenant PKI: chain of trust, kubeadm pin, token format, kubeconfig, Secret round trip.
import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bootstrapTokenPattern, isDomainError, parseTenantPkiData, tenantPkiData } from '@kubelabs/domain';
import { parse } from 'yaml';
import { planBootstrapToken, planTenantCredentials, renderKubeconfig } from './index';

const now = new Date('2026-11-20T10:00:00.000Z');
const dayMs = 86_400_000;

function spkiSha256(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

describe('planTenantCredentials', () => {
  it('signs the admin client certificate with the tenant CA', async () => {
    const credentials = await planTenantCredentials({ now });
    const ca = new X509Certificate(credentials.caCertificatePem);
    const admin = new X509Certificate(credentials.adminCertificatePem);

    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.subject).toBe('CN=kubernetes');
    expect(admin.ca).toBe(false);
    expect(admin.checkIssued(ca)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(admin.subject.split('\n').toSorted()).toEqual(['CN=kubernetes-admin', 'O=system:masters']);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('does not verify an admin certificate against another tenant CA', async () => {
    const [one, other] = await Promise.all([planTenantCredentials({ now }), planTenantCredentials({ now })]);
    const admin = new X509Certificate(one.adminCertificatePem);
    const otherCa = new X509Certificate(other.caCertificatePem);
    expect(admin.checkIssued(otherCa)).toBe(false);
    expect(admin.verify(otherCa.publicKey)).toBe(false);
  });

  it('pairs each certificate with its private key', async () => {
    const credentials = await planTenantCredentials({ now });
    for (const [certificatePem, keyPem] of [
      [credentials.caCertificatePem, credentials.caKeyPem],
      [credentials.adminCertificatePem, credentials.adminKeyPem],
    ] as const) {
      expect(keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
      const signature = sign('sha256', Buffer.from('kubelabs'), createPrivateKey(keyPem));
      expect(verify('sha256', Buffer.from('kubelabs'), new X509Certificate(certificatePem).publicKey, signature)).toBe(
        true,
      );
    }
  });

  it('pins the CA by the SHA-256 of its DER SubjectPublicKeyInfo, as kubeadm join expects', async () => {
    const credentials = await planTenantCredentials({ now });
    expect(credentials.caCertHash).toBe(`sha256:${spkiSha256(credentials.caCertificatePem)}`);
    expect(credentials.caCertHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives the CA ten years and the admin certificate one year, backdated for clock skew', async () => {
    const credentials = await planTenantCredentials({ now });
    const ca = new X509Certificate(credentials.caCertificatePem);
    const admin = new X509Certificate(credentials.adminCertificatePem);
    expect(ca.validToDate.getTime()).toBe(now.getTime() + 3650 * dayMs);
    expect(admin.validToDate.getTime()).toBe(now.getTime() + 365 * dayMs);
    expect(ca.validFromDate.getTime()).toBe(now.getTime() - 5 * 60_000);
    expect(admin.validFromDate.getTime()).toBe(ca.validFromDate.getTime());
  });

  it('honours shorter validities, e.g. a lab lifetime', async () => {
    const credentials = await planTenantCredentials({ now, caValidityDays: 2, adminValidityDays: 1 });
    expect(new X509Certificate(credentials.caCertificatePem).validToDate.getTime()).toBe(now.getTime() + 2 * dayMs);
    expect(new X509Certificate(credentials.adminCertificatePem).validToDate.getTime()).toBe(now.getTime() + dayMs);
  });

  it('draws a fresh, well-formed bootstrap token and CA for every tenant', async () => {
    const plans = await Promise.all(Array.from({ length: 5 }, () => planTenantCredentials({ now })));
    for (const plan of plans) expect(plan.bootstrapToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(new Set(plans.map((plan) => plan.bootstrapToken)).size).toBe(5);
    expect(new Set(plans.map((plan) => plan.caCertHash)).size).toBe(5);
    expect(new Set(plans.map((plan) => new X509Certificate(plan.caCertificatePem).serialNumber)).size).toBe(5);
  });

  it('formats every bootstrap token as [a-z0-9]{6}.[a-z0-9]{16}', () => {
    const tokens = Array.from({ length: 1000 }, () => planBootstrapToken());
    for (const token of tokens) expect(token).toMatch(bootstrapTokenPattern);
    expect(new Set(tokens.join('').replaceAll('.', '')).size).toBe(36);
  });

  it('mints an ECDSA SSH host key whose OpenSSH public form matches its private key', async () => {
    const { sshHostKey } = await planTenantCredentials({ now });
    expect(sshHostKey).toBeDefined();
    const [type, blob, extra] = sshHostKey!.publicKey.split(' ');
    expect(type).toBe('ecdsa-sha2-nistp256');
    expect(extra).toBeUndefined();
    const bytes = Buffer.from(blob!, 'base64');
    const fields: Buffer[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const length = bytes.readUInt32BE(offset);
      fields.push(bytes.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    expect(fields.map((field) => field.length)).toEqual([19, 8, 65]);
    expect(fields[0]!.toString()).toBe('ecdsa-sha2-nistp256');
    expect(fields[1]!.toString()).toBe('nistp256');
    const jwk = createPublicKey(sshHostKey!.privateKeyPem).export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    expect(fields[2]!.equals(point)).toBe(true);
    expect(sshHostKey!.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
  });

  it('omits the SSH host key when asked to', async () => {
    expect((await planTenantCredentials({ now, sshHostKey: false })).sshHostKey).toBeUndefined();
  });
});

describe('renderKubeconfig', () => {
  it('renders an admin kubeconfig that embeds the CA and client certificate in base64', async () => {
    const credentials = await planTenantCredentials({ now });
    const kubeconfig = parse(renderKubeconfig(credentials, 'https://kube-api.example.test:6443'));

    expect(kubeconfig).toMatchObject({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'kubernetes-admin@kubernetes',
      contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
    });
    const cluster = kubeconfig.clusters[0].cluster;
    const user = kubeconfig.users[0].user;
    expect(cluster.server).toBe('https://kube-api.example.test:6443');
    expect(Buffer.from(cluster['certificate-authority-data'], 'base64').toString()).toBe(credentials.caCertificatePem);
    expect(Buffer.from(user['client-certificate-data'], 'base64').toString()).toBe(credentials.adminCertificatePem);
    expect(Buffer.from(user['client-key-data'], 'base64').toString()).toBe(credentials.adminKeyPem);
    expect(cluster['tls-server-name']).toBeUndefined();
  });

  it('names the server to verify when the URL reaches the API under another name', async () => {
    const credentials = await planTenantCredentials({ now, sshHostKey: false });
    const kubeconfig = parse(
      renderKubeconfig(credentials, 'https://203.0.113.7:31443', {
        clusterName: 'cka-basics',
        tlsServerName: 'kube-api.kubelabs-t-1.svc.cluster.local',
      }),
    );
    expect(kubeconfig.clusters[0]).toMatchObject({
      name: 'cka-basics',
      cluster: { 'tls-server-name': 'kube-api.kubelabs-t-1.svc.cluster.local' },
    });
    expect(kubeconfig['current-context']).toBe('kubernetes-admin@cka-basics');
  });

  it.each([
    { serverUrl: 'http://kube-api:6443' },
    { serverUrl: 'kube-api:6443' },
    { serverUrl: 'https://admin:secret@kube-api:6443' },
    { serverUrl: '' },
  ])('rejects $serverUrl as the API server URL', async ({ serverUrl }) => {
    const credentials = await planTenantCredentials({ now, sshHostKey: false });
    expect(() => renderKubeconfig(credentials, serverUrl)).toThrow(
      expect.objectContaining({ name: 'DomainError', code: 'input.invalid' }),
    );
  });
});

describe('tenant-pki data', () => {
  it.each([{ sshHostKey: true }, { sshHostKey: false }])(
    'reads back exactly the credentials it stored (sshHostKey: $sshHostKey)',
    async ({ sshHostKey }) => {
      const credentials = await planTenantCredentials({ now, sshHostKey });
      const data = tenantPkiData(credentials);
      for (const value of Object.values(data)) expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(parseTenantPkiData(data)).toEqual(credentials);
    },
  );

  it.each([
    { name: 'a missing CA key', change: (data: Record<string, string>) => delete data['ca.key'] },
    {
      name: 'no data at all',
      change: (data: Record<string, string>) => Object.keys(data).forEach((k) => delete data[k]),
    },
    {
      name: 'a malformed token',
      change: (data: Record<string, string>) => (data['bootstrap-token'] = Buffer.from('abc.def').toString('base64')),
    },
    {
      name: 'a malformed CA hash',
      change: (data: Record<string, string>) => (data['ca-cert-hash'] = Buffer.from('md5:00').toString('base64')),
    },
  ])('refuses a Secret with $name', async ({ change }) => {
    const data = tenantPkiData(await planTenantCredentials({ now, sshHostKey: false }));
    change(data);
    let caught: unknown;
    try {
      parseTenantPkiData(data);
    } catch (error) {
      caught = error;
    }
    expect(isDomainError(caught, 'input.invalid')).toBe(true);
  });
});
