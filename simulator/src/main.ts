// [simulator] The simulator as a process (`node dist/simulator/src/main.js`), for the dev platform and end-to-end
// runs against an API server without KubeVirt. Prints one JSON line on stdout when ready; logs go to stderr.
import { KubeVirtSimulator } from './kubevirt-simulator';
import { parseSimulatorEnv, SimulatorEnvError } from './parse-simulator-env';

async function main(): Promise<void> {
  const env = parseSimulatorEnv(process.env);
  const simulator = new KubeVirtSimulator({
    kubeconfig: env.kubeconfigPath,
    bootMs: env.bootMs,
    failRatio: env.failRatio,
    port: env.port,
    pollMs: env.pollMs,
    seed: env.seed,
    labelSelector: env.labelSelector,
  });
  await simulator.start();
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[simulator] ${signal} received, stopping\n`);
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[simulator] stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.stdout.write(
    `${JSON.stringify({ simulator: 'ready', tenantApiUrlTemplate: simulator.tenantApiUrlTemplate })}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    error instanceof SimulatorEnvError
      ? `[simulator] invalid configuration: ${message}\n`
      : `${message.startsWith('[simulator]') ? '' : '[simulator] '}${message}\n`,
  );
  process.exit(error instanceof SimulatorEnvError ? 2 : 1);
});
