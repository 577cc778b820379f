// Finds the Python tools the tests use, installing them on first use through scripts/python-tools.sh (a venv
// outside the clone, pinned requirements). Bounded: a cold install that takes longer than the deadline fails loudly.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@kubelabs/testing';

const run = promisify(execFile);

/** The schemathesis CLI (`st`), installing it when missing. */
export async function schemathesisExecutable(timeoutMs = 300_000): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'scripts', 'python-tools.sh')], {
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  const bin = stdout.trim().split('\n').pop() ?? '';
  const st = join(bin, 'st');
  if (!existsSync(st)) throw new Error(`scripts/python-tools.sh printed '${bin}', which holds no 'st' executable`);
  return st;
}
