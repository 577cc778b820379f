// The lane's addresses for a human at a terminal: <lane dir>/env (shell-sourceable NATS_URL, MONGO_URL, KUBECONFIG)
// and a stable copy of the lane's kubeconfig beside it. `npm run lane -- up` and `npm run dev` both write them; the
// file names the process that wrote it, so that one never overwrites or removes what another live one wrote.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LaneUrls } from './start-lanes';
import { laneStateDir } from './lane-paths';

export interface LaneEnvFile {
  readonly envFile: string;
  /** The stable kubeconfig path the env file exports (a copy of the lane's, or the given one if it already is). */
  readonly kubeconfigPath: string;
  readonly env: Readonly<Record<string, string>>;
  /** Removes the env file and the kubeconfig copy, unless another process has written its own since. */
  remove(): void;
}

/** Another live kubelabs process owns the env file. */
export class LaneEnvInUseError extends Error {
  constructor(
    readonly envFile: string,
    readonly ownerPid: number,
  ) {
    super(`${envFile} belongs to a running kubelabs process (pid ${ownerPid}); stop it first or set KUBELABS_LANE_DIR`);
  }
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
const header = (writer: string) =>
  `# kubelabs lane addresses, written by pid ${process.pid} (${writer}); removed when it stops\n`;

/** The pid named in an env file's header, if that process is alive and is a kubelabs lane or dev platform. */
function liveOwner(envFile: string): number | undefined {
  if (!existsSync(envFile)) return undefined;
  const pid = Number(/^# .*\bpid (\d+)\b/m.exec(readFileSync(envFile, 'utf8'))?.[1]);
  if (!pid || pid === process.pid) return undefined;
  try {
    // A stale file may name a pid that now belongs to something else; only our own entry points count.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /lane-cli|dev-platform/.test(cmdline) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '' || parsed.pathname === '/') parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Writes <dir>/env and <dir>/kubeconfig for `urls`, naming `writer` (e.g. `npm run dev`) as their owner.
 * Throws LaneEnvInUseError when another live kubelabs process wrote the env file.
 */
export function writeLaneEnv(urls: LaneUrls, writer: string, dir = laneStateDir()): LaneEnvFile {
  const envFile = join(dir, 'env');
  const owner = liveOwner(envFile);
  if (owner) throw new LaneEnvInUseError(envFile, owner);
  mkdirSync(dir, { recursive: true });
  // The lane's kubeconfig lives in a temporary directory; a copy under the lane dir gives humans a stable path. When
  // KUBECONFIG already is that path (a sourced env file), copying it onto itself would empty it.
  const stableKubeconfig = join(dir, 'kubeconfig');
  const copied = resolve(urls.kubeconfigPath) !== stableKubeconfig;
  if (copied) copyFileSync(urls.kubeconfigPath, stableKubeconfig);
  const kubeconfigPath = copied ? stableKubeconfig : urls.kubeconfigPath;
  const env: Record<string, string> = {
    NATS_URL: urls.natsUrl,
    // Services need a database in the URL; tests replace it with their own.
    MONGO_URL: withDatabase(urls.mongoUrl, 'kubelabs'),
    KUBECONFIG: kubeconfigPath,
    ...(urls.etcdUrl ? { KUBELABS_ETCD_URL: urls.etcdUrl } : {}),
  };
  const content =
    header(writer) +
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${quote(v)}\n`)
      .join('');
  writeFileSync(envFile, content);
  const kubeconfigContent = copied ? readFileSync(stableKubeconfig, 'utf8') : undefined;
  return {
    envFile,
    kubeconfigPath,
    env,
    remove: () => {
      if (readIfExists(envFile) !== content) return;
      rmSync(envFile, { force: true });
      if (kubeconfigContent !== undefined && readIfExists(stableKubeconfig) === kubeconfigContent)
        rmSync(stableKubeconfig, { force: true });
    },
  };
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
