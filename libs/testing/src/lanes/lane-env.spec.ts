// The lane env file is shared by `npm run lane -- up` and `npm run dev`: each writes it in the same shape, removes only
// what it wrote, and leaves alone a file another live kubelabs process owns.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LaneEnvInUseError, writeLaneEnv } from './lane-env';
import type { LaneUrls } from './start-lanes';

describe('writeLaneEnv', () => {
  let dir: string;
  let urls: LaneUrls;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubelabs-lane-env-'));
    const kubeconfigPath = join(dir, 'lane-tmp-kubeconfig');
    writeFileSync(kubeconfigPath, 'apiVersion: v1\nkind: Config\n');
    urls = {
      natsUrl: 'nats://127.0.0.1:4222',
      mongoUrl: 'mongodb://127.0.0.1:27017/',
      kubeconfigPath,
      etcdUrl: 'http://127.0.0.1:2379',
      kinds: { nats: 'local', mongo: 'local', kube: 'local' },
      timingsMs: {},
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes shell exports for NATS, MongoDB (with a database), a stable kubeconfig copy and etcd', () => {
    const written = writeLaneEnv(urls, 'npm run dev', dir);
    expect(written.envFile).toBe(join(dir, 'env'));
    expect(readFileSync(written.envFile, 'utf8')).toBe(
      `# kubelabs lane addresses, written by pid ${process.pid} (npm run dev); removed when it stops\n` +
        "export NATS_URL='nats://127.0.0.1:4222'\n" +
        "export MONGO_URL='mongodb://127.0.0.1:27017/kubelabs'\n" +
        `export KUBECONFIG='${join(dir, 'kubeconfig')}'\n` +
        "export KUBELABS_ETCD_URL='http://127.0.0.1:2379'\n",
    );
    expect(readFileSync(join(dir, 'kubeconfig'), 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
  });

  it('removes the env file and the kubeconfig copy it wrote', () => {
    writeLaneEnv(urls, 'npm run dev', dir).remove();
    expect(existsSync(join(dir, 'env'))).toBe(false);
    expect(existsSync(join(dir, 'kubeconfig'))).toBe(false);
  });

  it('leaves an env file that was written again since', () => {
    const written = writeLaneEnv(urls, 'npm run dev', dir);
    writeFileSync(written.envFile, "export NATS_URL='nats://elsewhere:4222'\n");
    written.remove();
    expect(readFileSync(written.envFile, 'utf8')).toBe("export NATS_URL='nats://elsewhere:4222'\n");
  });

  it('does not empty a kubeconfig that already is the stable path (a sourced env file)', () => {
    const stable = join(dir, 'kubeconfig');
    writeFileSync(stable, 'apiVersion: v1\nkind: Config\n');
    const written = writeLaneEnv({ ...urls, kubeconfigPath: stable }, 'npm run dev', dir);
    expect(readFileSync(stable, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
    written.remove();
    expect(existsSync(stable)).toBe(true);
  });

  it('refuses to overwrite the env file of another live lane process', () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'lane-cli'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'env'), `# kubelabs lane addresses, written by pid ${other.pid} (npm run lane -- up)\n`);
      expect(() => writeLaneEnv(urls, 'npm run dev', dir)).toThrow(LaneEnvInUseError);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('overwrites an env file whose writer is gone', () => {
    writeFileSync(join(dir, 'env'), '# kubelabs lane addresses, written by pid 999999999 (npm run dev)\n');
    expect(readFileSync(writeLaneEnv(urls, 'npm run dev', dir).envFile, 'utf8')).toContain(`pid ${process.pid}`);
  });
});
