// Where the local lanes keep their cached binaries and their per-run state. The cache lives outside the clone.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';

export const laneVersions = {
  nats: process.env.NATS_VERSION ?? 'v2.12.15',
  etcd: process.env.ETCD_VERSION ?? 'v3.6.16',
  kube: process.env.KUBE_VERSION ?? 'v1.36.3',
  mongoJavaServer: process.env.MONGO_JAVA_SERVER_VERSION ?? '1.47.0',
  /** np-guard's netpol-analyzer CLI (`netpolicy`), for the enforcer's semantic policy test; not a lane server. */
  netpolicy: process.env.NETPOLICY_VERSION ?? 'v1.4.4',
} as const;

// libs/testing/src/lanes is four levels below the root; compiled, it sits under dist/ one level deeper.
const fourUp = resolve(__dirname, '../../../..');
export const repoRoot = basename(fourUp) === 'dist' ? dirname(fourUp) : fourUp;

export function cacheDir(): string {
  return process.env.KUBELABS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubelabs');
}

/** Where lanes keep per-run state for humans (env, kubeconfig, logs); KUBELABS_LANE_DIR moves it (tests do). */
export function laneStateDir(): string {
  return process.env.KUBELABS_LANE_DIR ? resolve(process.env.KUBELABS_LANE_DIR) : join(repoRoot, '.lane');
}

export type LaneBuildTarget = 'nats' | 'etcd' | 'kube' | 'mongo';

const buildScript = () => join(repoRoot, 'scripts/lane/build-binaries.sh');

function build(target: LaneBuildTarget): void {
  execFileSync('bash', [buildScript(), target], { stdio: ['ignore', 2, 2] });
}

/**
 * Builds (or finds cached) what the local lanes will run, one target after another, without blocking the event loop:
 * a cold build takes minutes, and a synchronous one would stall every other lane's readiness deadline meanwhile.
 */
export async function buildLaneBinaries(targets: LaneBuildTarget[]): Promise<void> {
  for (const target of targets) {
    await new Promise<void>((done, reject) => {
      const child = spawn('bash', [buildScript(), target], { stdio: ['ignore', 2, 2] });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? done() : reject(new Error(`scripts/lane/build-binaries.sh ${target} failed with ${code}`)),
      );
    });
  }
}

/** Path of a cached lane binary, building it with scripts/lane/build-binaries.sh when it is missing. */
export function laneBinary(name: 'nats-server' | 'etcd' | 'kube-apiserver' | 'kube-controller-manager'): string {
  const version = name === 'nats-server' ? laneVersions.nats : name === 'etcd' ? laneVersions.etcd : laneVersions.kube;
  const path = join(cacheDir(), 'bin', `${name}-${version}`);
  if (!existsSync(path)) build(name === 'nats-server' ? 'nats' : name === 'etcd' ? 'etcd' : 'kube');
  return path;
}

/** Java class path of the cached mongo-java-server lane (jars from Maven Central plus the compiled Main). */
export function mongoJavaServerClassPath(): string {
  const dir = join(cacheDir(), `mongo-java-server-${laneVersions.mongoJavaServer}`);
  // The build script also notices an edited Main.java, so it runs every time; when cached it only compares a file.
  build('mongo');
  return `${join(dir, 'lib', '*')}:${join(dir, 'classes')}`;
}

/** KubeVirt's CustomResourceDefinitions (VirtualMachine, VirtualMachineInstance), kept in the repository. */
export function kubevirtCrdFiles(): string[] {
  const dir = join(repoRoot, 'libs/testing/src/lanes/kubevirt-crds');
  return ['kubevirt-virtualmachine-crd.yaml', 'kubevirt-virtualmachineinstance-crd.yaml'].map((f) => join(dir, f));
}
