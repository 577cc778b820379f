// [simulator] Reads and checks the simulator process's environment once, at start-up, so a wrong value stops it with
// one line naming the variable instead of a confusing failure later.
import { existsSync } from 'node:fs';

export interface SimulatorEnv {
  kubeconfigPath: string;
  bootMs: number;
  failRatio: number;
  port: number;
  pollMs: number;
  seed?: string;
  labelSelector?: string;
}

export class SimulatorEnvError extends Error {
  readonly code = 'simulator.config_invalid';
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  valid: (n: number) => boolean,
  rule: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new SimulatorEnvError(`${name} must be ${rule} (got "${raw}")`);
  return value;
}

export function parseSimulatorEnv(env: NodeJS.ProcessEnv): SimulatorEnv {
  const kubeconfigPath = env.KUBECONFIG?.trim();
  if (!kubeconfigPath) throw new SimulatorEnvError('KUBECONFIG is required: the path of the host cluster kubeconfig');
  if (kubeconfigPath.includes(':'))
    throw new SimulatorEnvError(`KUBECONFIG must name one file (got "${kubeconfigPath}")`);
  if (!existsSync(kubeconfigPath))
    throw new SimulatorEnvError(`KUBECONFIG names a file that does not exist: ${kubeconfigPath}`);
  const parsed: SimulatorEnv = {
    kubeconfigPath,
    bootMs: number(
      env,
      'SIMULATOR_BOOT_MS',
      3000,
      (n) => Number.isInteger(n) && n >= 0,
      'a whole number of milliseconds >= 0',
    ),
    failRatio: number(env, 'SIMULATOR_FAIL_RATIO', 0, (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
    port: number(
      env,
      'SIMULATOR_PORT',
      0,
      (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
      'a port from 0 to 65535 (0: any free port)',
    ),
    pollMs: number(
      env,
      'SIMULATOR_POLL_MS',
      250,
      (n) => Number.isInteger(n) && n >= 10,
      'a whole number of milliseconds >= 10',
    ),
  };
  if (env.SIMULATOR_SEED) parsed.seed = env.SIMULATOR_SEED;
  if (env.SIMULATOR_LABEL_SELECTOR) parsed.labelSelector = env.SIMULATOR_LABEL_SELECTOR;
  return parsed;
}
