// [simulator] `npm run dev`: the lanes (or the servers named by NATS_URL, MONGO_URL, KUBECONFIG), the catalog from
// deploy/catalog, the simulator, and the five services, with a development admin key printed for curl.
import { join } from 'node:path';
import { repoRoot, startLanes } from '@kubelabs/testing';
import { startPlatform } from './run-platform';

async function main(): Promise<void> {
  const port = Number(process.env.CLAIM_API_PORT ?? 8080);
  const quiet = process.env.DEV_VERBOSE !== 'true';
  process.stdout.write(
    '[dev] starting the backing services (local lane unless NATS_URL, MONGO_URL, KUBECONFIG are set)\n',
  );
  const lanes = await startLanes({ logDir: join(repoRoot, '.lane', 'dev-logs') });
  const platform = await startPlatform({
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
    env: { RESYNC_INTERVAL_MS: '5000', READINESS_POLL_MS: '500' },
    log: (line) => {
      if (!quiet) process.stdout.write(`${line}\n`);
    },
  });
  const stop = async (): Promise<void> => {
    process.stdout.write('\n[dev] stopping\n');
    await platform.stop();
    await lanes.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.stdout.write(
    [
      '',
      `[dev] kubelabs is up. Claim API: ${platform.claimApiUrl}  (OpenAPI UI: ${platform.claimApiUrl}/docs)`,
      `[dev] development admin key: ${platform.apiKey}   (set DEV_API_KEY to fix it)`,
      '[dev] VirtualMachines are played by the SIMULATOR (no KubeVirt here); set DEV_VERBOSE=true for service logs.',
      '',
      `  export KEY=${platform.apiKey}`,
      `  curl -s ${platform.claimApiUrl}/v1/labs -H "Authorization: Bearer $KEY"`,
      `  curl -s -X POST ${platform.claimApiUrl}/v1/claims -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"labId":"sandbox","userId":"ada"}'`,
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[dev] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
