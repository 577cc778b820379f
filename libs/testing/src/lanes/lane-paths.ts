// Where the local lanes keep their cached binaries and their per-run state. The cache lives outside the clone.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

export const laneVersions = {
  nats: process.env.NATS_VERSION ?? 'v2.12.15',
  etcd: process.env.ETCD_VERSION ?? 'v3.6.16',
  kube: process.env.KUBE_VERSION ?? 'v1.36.3',
  mongoJavaServer: process.env.MONGO_JAVA_SERVER_VERSION ?? '1.47.0',
} as const;

export const repoRoot = resolve(__dirname, '../../../..');

export function cacheDir(): string {
  return process.env.KUBELABS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubelabs');
}

/** Path of a cached lane binary, building it with scripts/lane/build-binaries.sh when it is missing. */
export function laneBinary(name: 'nats-server' | 'etcd' | 'kube-apiserver' | 'kube-controller-manager'): string {
  const version =
    name === 'nats-server' ? laneVersions.nats : name === 'etcd' ? laneVersions.etcd : laneVersions.kube;
  const path = join(cacheDir(), 'bin', `${name}-${version}`);
  if (!existsSync(path)) {
    const target = name === 'nats-server' ? 'nats' : name === 'etcd' ? 'etcd' : 'kube';
    execFileSync('bash', [join(repoRoot, 'scripts/lane/build-binaries.sh'), target], { stdio: 'inherit' });
  }
  return path;
}
