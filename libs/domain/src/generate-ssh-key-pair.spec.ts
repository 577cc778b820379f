// ssh2's generator drops a leading zero byte of the public key about once in 256 draws; generateSshKeyPair must never
// hand such a pair out.
import { describe, expect, it } from 'vitest';
import { utils as sshUtils } from 'ssh2';
import { generateSshKeyPair, isWellFormedEd25519Pair } from './generate-ssh-key-pair';

describe('generateSshKeyPair', () => {
  it('recognizes the malformed pairs ssh2 draws (a 31-byte key), which are common enough to meet in 4,000 draws', () => {
    let malformed = 0;
    for (let i = 0; i < 4_000; i++) {
      const pair = sshUtils.generateKeyPairSync('ed25519');
      const wellFormed = isWellFormedEd25519Pair(pair);
      expect(wellFormed).toBe(!(sshUtils.parseKey(pair.private) instanceof Error));
      if (!wellFormed) malformed++;
    }
    // 4,000 draws at 1/256: about 16 expected; none at all has probability below 1e-6.
    expect(malformed).toBeGreaterThan(0);
  });

  it('only hands out pairs whose private key parses and whose public line matches it', () => {
    for (let i = 0; i < 2_000; i++) {
      const pair = generateSshKeyPair('kubelabs-test');
      const parsed = sshUtils.parseKey(pair.private);
      if (parsed instanceof Error) throw parsed;
      const [type, key, comment] = pair.public.split(' ');
      expect([type, key, comment]).toEqual(['ssh-ed25519', parsed.getPublicSSH().toString('base64'), 'kubelabs-test']);
    }
  });
});
