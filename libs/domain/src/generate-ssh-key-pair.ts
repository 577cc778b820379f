// One way to mint an OpenSSH ed25519 key pair for a student or the platform. ssh2's generator alone is not enough: it
// writes the 32-byte public key as a number and drops a leading zero byte, so about one pair in 256 comes out with a
// 31-byte key that OpenSSH and ssh2 itself refuse ("Malformed OpenSSH private key"). Such pairs are drawn again.
import { utils as sshUtils } from 'ssh2';

export interface SshKeyPair {
  /** OpenSSH private key (PEM-like `-----BEGIN OPENSSH PRIVATE KEY-----`). */
  private: string;
  /** One `ssh-ed25519 AAAA... comment` line. */
  public: string;
}

/** The number of draws before giving up; a bad draw has probability 1/256, so 8 bad ones in a row is 2^-64. */
const maxDraws = 8;

export function generateSshKeyPair(comment: string): SshKeyPair {
  for (let draw = 0; draw < maxDraws; draw++) {
    const pair = sshUtils.generateKeyPairSync('ed25519', { comment });
    if (isWellFormedEd25519Pair(pair)) return { private: pair.private, public: pair.public };
  }
  throw new Error(`no well-formed ed25519 key pair in ${maxDraws} draws`);
}

/** The private key parses, and the public line carries a 32-byte ed25519 key. */
export function isWellFormedEd25519Pair(pair: SshKeyPair): boolean {
  if (sshUtils.parseKey(pair.private) instanceof Error) return false;
  const blob = Buffer.from(pair.public.split(' ')[1] ?? '', 'base64');
  // string "ssh-ed25519" (4 + 11 bytes) then string key (4 + 32 bytes).
  return blob.length === 51 && blob.readUInt32BE(15) === 32;
}
