import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readKubeconfigCredentials } from './observe-tenant-exposure';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('readKubeconfigCredentials', () => {
  it('reads the CA and the admin certificate and key from the stored kubeconfig', () => {
    const yaml = stringify({
      clusters: [{ name: 'kubernetes', cluster: { server: 'https://x', 'certificate-authority-data': b64('CA') } }],
      users: [{ name: 'a', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } }],
    });
    expect(readKubeconfigCredentials(yaml)).toEqual({
      caCertificatePem: 'CA',
      adminCertificatePem: 'CERT',
      adminKeyPem: 'KEY',
    });
  });

  it('answers undefined when a part is missing', () => {
    expect(readKubeconfigCredentials(stringify({ clusters: [], users: [] }))).toBeUndefined();
    expect(readKubeconfigCredentials('')).toBeUndefined();
  });
});
