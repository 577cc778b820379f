// `npm run lane -- up|down`: the same backing services the tests use, for a human at a terminal. `up` starts them,
// writes their addresses to .lane/env (shell-sourceable) and stays in the foreground until Ctrl-C or SIGTERM;
// `down` stops the one that is running, found through .lane/lane.pid. KUBELABS_LANE_DIR moves .lane/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLanes } from './lanes/start-lanes';
import { waitFor } from './lanes/lane-process';
import { laneStateDir } from './lanes/lane-paths';
import { writeLaneEnv, type LaneEnvFile } from './lanes/lane-env';

const laneDir = laneStateDir();
const pidFile = join(laneDir, 'lane.pid');

function runningLanePid(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    // A stale pid file may name a process that is not ours any more; only a lane CLI counts.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('lane-cli') ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function up(): Promise<void> {
  const running = runningLanePid();
  if (running) throw new Error(`a lane is already running (pid ${running}); stop it with: npm run lane -- down`);
  mkdirSync(laneDir, { recursive: true });
  const logDir = join(laneDir, 'logs');
  // Signals are caught from the start: a Ctrl-C while the lanes come up stops them once they are up.
  let signalled: string | undefined;
  let stopLanes: ((signal: string) => void) | undefined;
  const onSignal = (signal: string) => (stopLanes ? stopLanes(signal) : (signalled ??= signal));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  writeFileSync(pidFile, `${process.pid}\n`);

  const started = Date.now();
  const lanes = await startLanes({ logDir }).catch((error: unknown) => {
    rmSync(pidFile, { force: true });
    throw error;
  });
  const { urls } = lanes;
  let laneEnv: LaneEnvFile;
  try {
    laneEnv = writeLaneEnv(urls, 'npm run lane -- up', laneDir);
  } catch (error) {
    await lanes.stop().finally(() => rmSync(pidFile, { force: true }));
    throw error;
  }
  const { envFile, kubeconfigPath } = laneEnv;

  let stopping: Promise<void> | undefined;
  stopLanes = (signal: string) => {
    stopping ??= (async () => {
      process.stdout.write(`\n${signal}: stopping the lanes\n`);
      try {
        await lanes.stop();
      } finally {
        rmSync(pidFile, { force: true });
        laneEnv.remove();
      }
      process.exit(0);
    })();
  };
  if (signalled) return stopLanes(signalled);

  const timings = Object.entries(urls.timingsMs)
    .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s`)
    .join(', ');
  process.stdout.write(
    [
      `lanes up in ${((Date.now() - started) / 1000).toFixed(1)}s (${timings})`,
      `  NATS       ${urls.natsUrl}  (${urls.kinds.nats})`,
      `  MongoDB    ${urls.mongoUrl}  (${urls.kinds.mongo})`,
      `  Kubernetes KUBECONFIG=${kubeconfigPath}  (${urls.kinds.kube})`,
      ...(urls.etcdUrl ? [`  etcd       ${urls.etcdUrl}  (for tenant API servers)`] : []),
      `  logs       ${logDir}`,
      `source ${envFile} to use them; Ctrl-C or \`npm run lane -- down\` stops them.`,
      '',
    ].join('\n'),
  );
  // Stay in the foreground: the child processes keep the event loop alive until a signal arrives.
}

async function down(): Promise<void> {
  const pid = runningLanePid();
  if (!pid) {
    rmSync(pidFile, { force: true });
    process.stdout.write('no lane is running\n');
    return;
  }
  process.kill(pid, 'SIGTERM');
  await waitFor(`lane pid ${pid} to stop`, () => !existsSync(`/proc/${pid}`), { timeoutMs: 60_000, intervalMs: 200 });
  process.stdout.write(`stopped the lane (pid ${pid})\n`);
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'up') return up();
  if (command === 'down') return down();
  process.stderr.write('usage: lane up | lane down\n');
  process.exit(2);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`lane: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
