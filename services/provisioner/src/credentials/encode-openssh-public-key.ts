// OpenSSH's one-line public key form for an ECDSA P-256 key (RFC 5656 §3.1), which Node cannot export by itself:
// the known_hosts entry students get and the `ecdsa_public` host key cloud-init installs.
const keyType = 'ecdsa-sha2-nistp256';
const curve = 'nistp256';

/** `rawPublicKey` is the uncompressed point (0x04 || X || Y, 65 bytes), as WebCrypto's `raw` export gives it. */
export function encodeOpenSshEcdsaPublicKey(rawPublicKey: Uint8Array): string {
  if (rawPublicKey.length !== 65 || rawPublicKey[0] !== 0x04) {
    throw new Error('expected an uncompressed P-256 point of 65 bytes');
  }
  const blob = Buffer.concat([sshString(Buffer.from(keyType)), sshString(Buffer.from(curve)), sshString(rawPublicKey)]);
  return `${keyType} ${blob.toString('base64')}`;
}

function sshString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
