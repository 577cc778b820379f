// [simulator] The simulator process refuses a wrong environment with one line naming the variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSimulatorEnv } from './parse-simulator-env';

const kubeconfig = join(mkdtempSync(join(tmpdir(), 'simulator-env-')), 'kubeconfig');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');

describe('parseSimulatorEnv', () => {
  it('applies the documented defaults', () => {
    expect(parseSimulatorEnv({ KUBECONFIG: kubeconfig })).toEqual({
      kubeconfigPath: kubeconfig,
      bootMs: 3000,
      failRatio: 0,
      port: 0,
      pollMs: 250,
    });
  });

  it('reads every variable', () => {
    const env = {
      KUBECONFIG: kubeconfig,
      SIMULATOR_BOOT_MS: '0',
      SIMULATOR_FAIL_RATIO: '0.5',
      SIMULATOR_PORT: '18080',
      SIMULATOR_POLL_MS: '50',
      SIMULATOR_SEED: 'x',
      SIMULATOR_LABEL_SELECTOR: 'kubelabs.io/tenant=t1',
    };
    expect(parseSimulatorEnv(env)).toEqual({
      kubeconfigPath: kubeconfig,
      bootMs: 0,
      failRatio: 0.5,
      port: 18080,
      pollMs: 50,
      seed: 'x',
      labelSelector: 'kubelabs.io/tenant=t1',
    });
  });

  it.each([
    { env: {}, error: /^KUBECONFIG is required/ },
    { env: { KUBECONFIG: '/nonexistent/kubeconfig' }, error: /^KUBECONFIG names a file that does not exist/ },
    {
      env: { KUBECONFIG: kubeconfig, SIMULATOR_FAIL_RATIO: '1.5' },
      error: /^SIMULATOR_FAIL_RATIO must be a number from 0 to 1 \(got "1.5"\)$/,
    },
    { env: { KUBECONFIG: kubeconfig, SIMULATOR_BOOT_MS: 'soon' }, error: /^SIMULATOR_BOOT_MS must be/ },
    { env: { KUBECONFIG: kubeconfig, SIMULATOR_PORT: '70000' }, error: /^SIMULATOR_PORT must be/ },
    { env: { KUBECONFIG: kubeconfig, SIMULATOR_POLL_MS: '1' }, error: /^SIMULATOR_POLL_MS must be/ },
  ])('rejects $env with a line naming the variable', ({ env, error }) => {
    expect(() => parseSimulatorEnv(env)).toThrow(error);
  });
});
