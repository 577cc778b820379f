// [simulator] Deterministic stand-ins for chance: boot jitter, boot failures and guest IPs come from a hash of the
// VM's name, so a run can be repeated exactly and a test can predict what the simulator will do.
import { createHash } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A number in [0, 1), uniform over names. */
export function unitHash(text: string): number {
  return digest(text).readUIntBE(0, 6) / 2 ** 48;
}

/** A stable private address in 10.128.0.0/10 for a guest, the same in its VMI and in its tenant Node. */
export function simulatedIp(key: string): string {
  const bytes = digest(`ip:${key}`);
  return `10.${128 + ((bytes[0] ?? 0) % 64)}.${bytes[1] ?? 0}.${1 + ((bytes[2] ?? 0) % 254)}`;
}
