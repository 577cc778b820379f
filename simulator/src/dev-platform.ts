// [simulator] `npm run dev`: the lanes (or the servers named by NATS_URL, MONGO_URL, KUBECONFIG), the catalog from
// deploy/catalog, the simulator, and the six services, with a development admin key printed for curl. Writes the
// lanes' addresses to .lane/env as `npm run lane -- up` does. Its children run in their own process groups, so a
// Ctrl-C or SIGTERM reaches only this process, which stops the services, then the lanes, within a deadline; a second
// Ctrl-C kills them all at once.
import { join } from 'node:path';
import {
  killChildProcessGroups,
  laneStateDir,
  LaneEnvInUseError,
  startLanes,
  stopChildProcessGroups,
  superviseChildProcesses,
  writeLaneEnv,
  repoRoot,
  type LaneEnvFile,
  type StartedLanes,
} from '@kubelabs/testing';
import { chatAdaptersFromEnv, startPlatform, type RunningPlatform } from './run-platform';

/** Everything is gone by then, one way or another: under the ten seconds an operator waits for a Ctrl-C. */
const stopDeadlineMs = 8_000;
/** How long a service gets to drain after SIGTERM before it is killed. */
const serviceGraceMs = 4_000;

const say = (line: string) => process.stdout.write(`${line}\n`);

let lanes: StartedLanes | undefined;
let laneEnv: LaneEnvFile | undefined;
let platform: RunningPlatform | undefined;
let stopping: Promise<never> | undefined;

/** Services first (they drain into the lanes), then the lanes, then whatever is left (a lane still starting). */
function stop(reason: string, exitCode: number): Promise<never> {
  stopping ??= (async () => {
    say(`\n[dev] ${reason}: stopping (Ctrl-C again to kill everything at once)`);
    const started = Date.now();
    const orderly = (async () => {
      await platform?.stop({ graceMs: serviceGraceMs });
      await lanes?.stop();
    })().catch((error: unknown) => say(`[dev] stopping: ${error instanceof Error ? error.message : String(error)}`));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([orderly, new Promise((resolve) => (timer = setTimeout(resolve, stopDeadlineMs)))]);
    clearTimeout(timer);
    await stopChildProcessGroups(Math.max(0, stopDeadlineMs - (Date.now() - started)));
    laneEnv?.remove();
    say(`[dev] stopped in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    process.exit(exitCode);
  })();
  return stopping;
}

function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) return void stop(signal, 0);
  killChildProcessGroups();
  laneEnv?.remove();
  say(`\n[dev] ${signal} again: killed everything`);
  process.exit(130);
}

async function main(): Promise<void> {
  superviseChildProcesses();
  // From the start: a Ctrl-C while the lanes come up stops what has started. SIGHUP too, since the children no longer
  // share the terminal's process group and would not get it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // After a SIGHUP the terminal is gone; a failed write must not cut the stop short.
  process.stdout.on('error', () => undefined);

  const port = Number(process.env.CLAIM_API_PORT ?? 8080);
  const quiet = process.env.DEV_VERBOSE !== 'true';
  say('[dev] starting the backing services (local lane unless NATS_URL, MONGO_URL, KUBECONFIG are set)');
  lanes = await startLanes({ logDir: join(laneStateDir(), 'dev-logs') });
  if (stopping) return;
  let hostKubeconfig = lanes.urls.kubeconfigPath;
  let laneNote: string;
  try {
    laneEnv = writeLaneEnv(lanes.urls, 'npm run dev');
    hostKubeconfig = laneEnv.kubeconfigPath;
    laneNote = `[dev] lane addresses (NATS_URL, MONGO_URL, KUBECONFIG): source ${laneEnv.envFile}`;
  } catch (error) {
    if (!(error instanceof LaneEnvInUseError)) throw error;
    laneNote = `[dev] ${error.envFile} belongs to pid ${error.ownerPid} and was left alone`;
  }
  platform = await startPlatform({
    natsUrl: lanes.urls.natsUrl,
    mongoUrl: lanes.urls.mongoUrl,
    kubeconfigPath: lanes.urls.kubeconfigPath,
    instance: process.env.PLATFORM_ID ?? 'dev',
    catalogDir: join(repoRoot, 'deploy', 'catalog'),
    claimApiPort: port,
    ...(process.env.DEV_API_KEY ? { devApiKey: process.env.DEV_API_KEY } : {}),
    simulator: {
      bootMs: Number(process.env.SIMULATOR_BOOT_MS ?? 3000),
      failRatio: Number(process.env.SIMULATOR_FAIL_RATIO ?? 0),
    },
    env: {
      RESYNC_INTERVAL_MS: '5000',
      READINESS_POLL_MS: '500',
      // Webhooks may call a receiver on this machine in development; a fixed key keeps subscriptions across runs.
      WEBHOOK_ALLOWED_CIDRS: process.env.WEBHOOK_ALLOWED_CIDRS ?? '127.0.0.0/8,::1/128',
      ...(process.env.WEBHOOK_SECRET_KEY ? { WEBHOOK_SECRET_KEY: process.env.WEBHOOK_SECRET_KEY } : {}),
    },
    adapters: chatAdaptersFromEnv(process.env),
    log: (line) => {
      if (!quiet) say(line);
    },
  });
  if (stopping) return;
  say(
    [
      '',
      `[dev] kubelabs is up. Claim API: ${platform.claimApiUrl}  (OpenAPI UI: ${platform.claimApiUrl}/docs)`,
      `[dev] development admin key: ${platform.apiKey}   (set DEV_API_KEY to fix it)`,
      `[dev] host cluster: KUBECONFIG=${hostKubeconfig}   (kubectl get virtualmachines -A)`,
      laneNote,
      '[dev] VirtualMachines are played by the SIMULATOR (no KubeVirt here); set DEV_VERBOSE=true for service logs.',
      '',
      ...[...platform.adapters].map(
        ([name, adapter]) =>
          `[dev] ${name}: ${adapter.url}${name === 'slack-adapter' ? '/slack/commands and /slack/interactions' : '/discord/interactions'} (expose it to the provider, e.g. through a tunnel)`,
      ),
      `  export KEY=${platform.apiKey}`,
      `  curl -s ${platform.claimApiUrl}/v1/labs -H "Authorization: Bearer $KEY"`,
      `  curl -s -X POST ${platform.claimApiUrl}/v1/claims -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"labId":"sandbox","userId":"ada"}'`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (stopping) return;
  process.stderr.write(`[dev] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  void stop('start-up failed', 1);
});
