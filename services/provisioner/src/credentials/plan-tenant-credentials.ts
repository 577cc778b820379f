// The platform, not the VM, owns a tenant cluster's credentials: it mints the cluster CA, the student's admin client
// certificate, the kubeadm bootstrap token and the SSH host key before any VM boots, so the kubeconfig and known_hosts
// entry exist the moment the tenant does, and a control plane that is rebuilt from its containerDisk keeps the same
// trust root.
//
// X.509 library: @peculiar/x509. It builds certificates on WebCrypto (node's own `webcrypto`), so key generation and
// signing run in OpenSSL and ECDSA P-256 is first-class; node-forge signs X.509 only with RSA, and RSA-2048 key
// generation alone costs tens to hundreds of milliseconds. Keys are ECDSA P-256: kubeadm loads an ECDSA CA key
// (client-go keyutil reads SEC1 and PKCS#8 EC keys; kubeadm v1beta4 even offers `encryptionAlgorithm: ECDSA-P256`), and
// a whole set is minted in a few milliseconds. @peculiar/x509 resolves its internals through tsyringe, which needs the
// reflect-metadata polyfill loaded first; the import below makes this module self-contained.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, KeyObject, randomBytes, randomInt, webcrypto } from 'node:crypto';
import { type SshHostKey, type TenantCredentials } from '@kubelabs/domain';
import { encodeOpenSshEcdsaPublicKey } from './encode-openssh-public-key';

export interface PlanTenantCredentialsInput {
  now: Date;
  /** Days the CA is valid; kubeadm's own CA default is ten years. */
  caValidityDays?: number;
  /** Days the admin client certificate is valid; kubeadm's leaf default is one year. */
  adminValidityDays?: number;
  /** Mint an SSH host key for the control plane (default true). */
  sshHostKey?: boolean;
}

/** Subject of the student's client certificate. system:masters is authorised before RBAC is consulted, so a scenario
 *  that breaks RBAC (or a student who deletes kubeadm's `kubeadm:cluster-admins` binding, 1.29+) cannot lock them out. */
export const adminSubject = { commonName: 'kubernetes-admin', organization: 'system:masters' } as const;

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 86_400_000;
/** Clock skew allowance between the platform and the tenant VMs. */
const backdateMs = 5 * 60_000;

export async function planTenantCredentials(input: PlanTenantCredentialsInput): Promise<TenantCredentials> {
  const { now, caValidityDays = 3650, adminValidityDays = 365, sshHostKey = true } = input;
  const notBefore = new Date(now.getTime() - backdateMs);
  const crypto = webcrypto as unknown as Crypto;

  const [caKeys, adminKeys] = await Promise.all([generateEcdsaKeys(), generateEcdsaKeys()]);
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: ['kubernetes'] }],
      keys: caKeys,
      notBefore,
      notAfter: new Date(now.getTime() + caValidityDays * dayMs),
      signingAlgorithm: ecdsa,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const adminCertificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ O: [adminSubject.organization] }, { CN: [adminSubject.commonName] }],
      issuer: caCertificate.subjectName,
      publicKey: adminKeys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter: new Date(now.getTime() + adminValidityDays * dayMs),
      signingAlgorithm: ecdsa,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  return {
    caCertificatePem: caCertificate.toString('pem') + '\n',
    caKeyPem: toSec1Pem(caKeys.privateKey),
    adminCertificatePem: adminCertificate.toString('pem') + '\n',
    adminKeyPem: toSec1Pem(adminKeys.privateKey),
    bootstrapToken: planBootstrapToken(),
    caCertHash: caCertHashOf(Buffer.from(caCertificate.publicKey.rawData)),
    ...(sshHostKey ? { sshHostKey: await planSshHostKey() } : {}),
    // The platform's login for lab checks: the same kind of key pair, authorized for the `kubelabs` account.
    ...(sshHostKey ? { platformSshKey: await planSshHostKey() } : {}),
  };
}

/** A kubeadm bootstrap token: `[a-z0-9]{6}.[a-z0-9]{16}`, each character drawn uniformly. */
export function planBootstrapToken(): string {
  return `${randomToken(6)}.${randomToken(16)}`;
}

/** kubeadm's pin: SHA-256 over the certificate's DER SubjectPublicKeyInfo (what `pubkeypin.Hash` computes). */
export function caCertHashOf(subjectPublicKeyInfoDer: Uint8Array): string {
  return `sha256:${createHash('sha256').update(subjectPublicKeyInfoDer).digest('hex')}`;
}

async function planSshHostKey(): Promise<SshHostKey> {
  const keys = await generateEcdsaKeys();
  const rawPublicKey = new Uint8Array(await webcrypto.subtle.exportKey('raw', keys.publicKey));
  return { privateKeyPem: toSec1Pem(keys.privateKey), publicKey: encodeOpenSshEcdsaPublicKey(rawPublicKey) };
}

async function generateEcdsaKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function toSec1Pem(privateKey: CryptoKey): string {
  return KeyObject.from(privateKey as webcrypto.CryptoKey).export({ type: 'sec1', format: 'pem' }) as string;
}

const tokenAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randomToken(length: number): string {
  let token = '';
  for (let i = 0; i < length; i++) token += tokenAlphabet[randomInt(tokenAlphabet.length)];
  return token;
}

/** 128 random bits, positive and minimally encoded in DER (RFC 5280 allows up to 20 octets). */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}
