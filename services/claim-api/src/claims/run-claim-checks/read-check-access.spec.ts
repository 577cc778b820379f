import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isDomainError } from '@kubelabs/domain';
import { readCheckAccess } from './read-check-access';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const kubeconfig = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'kubernetes', cluster: { server: 'https://x:6443', 'certificate-authority-data': b64('CA') } }],
  users: [
    { name: 'kubernetes-admin', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } },
  ],
});

describe('readCheckAccess', () => {
  it('takes the API identity from the kubeconfig and the SSH keys from tenant-checks', () => {
    expect(
      readCheckAccess(kubeconfig, {
        'platform-ssh-key': b64('SSHKEY'),
        'ssh-host-key.pub': b64('ecdsa-sha2-nistp256 AAAA'),
      }),
    ).toEqual({
      caCertificatePem: 'CA',
      adminCertificatePem: 'CERT',
      adminKeyPem: 'KEY',
      platformSshKeyPem: 'SSHKEY',
      sshHostPublicKey: 'ecdsa-sha2-nistp256 AAAA',
    });
  });

  it('works without tenant-checks (a tenant minted before it: no SSH checks)', () => {
    expect(readCheckAccess(kubeconfig, null)).toEqual({
      caCertificatePem: 'CA',
      adminCertificatePem: 'CERT',
      adminKeyPem: 'KEY',
    });
  });

  it.each([
    { name: 'not YAML', yaml: '{: [' },
    { name: 'without a client key', yaml: kubeconfig.replace(/client-key-data: .*/, 'client-key-data: ""') },
    { name: 'empty', yaml: '' },
  ])('refuses a kubeconfig $name as a tenant problem, not a bad request', ({ yaml }) => {
    let thrown: unknown;
    try {
      readCheckAccess(yaml, null);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown, 'tenant.not_found')).toBe(true);
  });
});
