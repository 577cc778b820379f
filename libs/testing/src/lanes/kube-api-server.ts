// A real kube-apiserver (plus, if asked, kube-controller-manager) on loopback over a shared etcd, as envtest runs it.
// Each server keeps its objects under its own --etcd-prefix, so one etcd carries a host cluster and tenant clusters.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { findFreePort, startLaneProcess, waitFor, type LaneProcess } from './lane-process';
import { kubevirtCrdFiles, laneBinary } from './lane-paths';
import { writeKubeCredentials, type KubeCredentials } from './kube-credentials';

export interface StartKubeApiServerOptions {
  /** The etcd to store objects in (a started EtcdServer, or any object with its client URL). */
  etcd: { url: string };
  /** Where this server's objects live in etcd, e.g. `/tenant-a`; distinct prefixes are distinct clusters. */
  etcdPrefix: string;
  logDir: string;
  /** Also run kube-controller-manager (namespace deletion, garbage collection, quotas, service accounts). */
  withControllerManager?: boolean;
  /** Install KubeVirt's VirtualMachine and VirtualMachineInstance CRDs and wait until they are Established. */
  installKubeVirtCrds?: boolean;
}

export interface KubeApiServer {
  readonly url: string;
  /** An admin (system:masters) kubeconfig for this server. */
  readonly kubeconfigPath: string;
  readonly etcdPrefix: string;
  /** Milliseconds spent in each start-up phase, for reports. */
  readonly timingsMs: Record<string, number>;
  stop(): Promise<void>;
}

/** Controllers a lab cluster needs without nodes: no scheduler, kubelet or workload controllers run here. */
const controllers = [
  'namespace-controller',
  'garbage-collector-controller',
  'resourcequota-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
];

const b64 = (file: string) => readFileSync(file).toString('base64');

function writeKubeconfig(path: string, server: string, credentials: KubeCredentials): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lane', cluster: { server, 'certificate-authority-data': b64(credentials.caCert) } }],
    users: [
      {
        name: 'lane-admin',
        user: { 'client-certificate-data': b64(credentials.adminCert), 'client-key-data': b64(credentials.adminKey) },
      },
    ],
    contexts: [{ name: 'lane', context: { cluster: 'lane', user: 'lane-admin', namespace: 'default' } }],
    'current-context': 'lane',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/** Applies KubeVirt's CRDs and waits until the API server serves VirtualMachines. Idempotent. */
export async function installKubeVirtCrds(client: KubeClient, { timeoutMs = 60_000 } = {}): Promise<void> {
  const crds = kubevirtCrdFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as KubeObject),
  );
  for (const crd of crds) await client.apply(crd);
  for (const crd of crds) {
    await waitFor(
      `CRD ${crd.metadata.name} to be Established`,
      async () => {
        const current = await client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
          { apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name },
        );
        return !!current?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs },
    );
  }
  // Established can precede discovery by a moment; the client resolves kinds through discovery.
  await waitFor(
    'kubevirt.io/v1 in discovery',
    async () => {
      await client.list('kubevirt.io/v1', 'VirtualMachine', { namespace: 'default' });
      return true;
    },
    { timeoutMs },
  );
}

export async function startKubeApiServer(options: StartKubeApiServerOptions): Promise<KubeApiServer> {
  if (!/^\/[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(options.etcdPrefix)) {
    throw new Error(`etcdPrefix must look like /name, got ${options.etcdPrefix}`);
  }
  const slug = options.etcdPrefix.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const started = Date.now();
  const timingsMs: Record<string, number> = {};
  const dir = mkdtempSync(join(tmpdir(), `kubelabs-kube-${slug}-`));
  const processes: LaneProcess[] = [];
  const stop = async (): Promise<void> => {
    // Together: the controller manager only retries against a stopping API server, and neither waits for the other.
    await Promise.all(processes.map((proc) => proc.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const credentials = writeKubeCredentials(dir);
    const apiserverBinary = laneBinary('kube-apiserver');
    const port = await findFreePort();
    const url = `https://127.0.0.1:${port}`;
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, url, credentials);
    const client = KubeClient.create({ kubeconfigPath, fieldManager: 'kubelabs-lane' });
    timingsMs.credentials = Date.now() - started;

    processes.push(
      await startLaneProcess({
        name: `kube-apiserver-${slug}`,
        command: apiserverBinary,
        args: [
          `--etcd-servers=${options.etcd.url}`,
          `--etcd-prefix=${options.etcdPrefix}`,
          `--secure-port=${port}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--tls-cert-file=${credentials.servingCert}`,
          `--tls-private-key-file=${credentials.servingKey}`,
          `--client-ca-file=${credentials.caCert}`,
          `--cert-dir=${dir}`,
          '--service-cluster-ip-range=10.96.0.0/16',
          '--allow-privileged=true',
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${credentials.serviceAccountPub}`,
          `--service-account-signing-key-file=${credentials.serviceAccountKey}`,
          // Endpoints may not name a loopback address, so the `kubernetes` Service stays without endpoints anyway;
          // the reconciler would only log that every ten seconds.
          '--endpoint-reconciler-type=none',
          '--profiling=false',
        ],
        logDir: options.logDir,
        ready: async () => {
          await client.ping({ timeoutMs: 2_000 });
          return true;
        },
        readyTimeoutMs: 120_000,
      }),
    );
    timingsMs.apiserver = Date.now() - started - timingsMs.credentials;

    const phases: Promise<void>[] = [];
    if (options.withControllerManager) {
      phases.push(
        (async () => {
          const t0 = Date.now();
          processes.push(
            await startLaneProcess({
              name: `kube-controller-manager-${slug}`,
              command: laneBinary('kube-controller-manager'),
              args: [
                `--kubeconfig=${kubeconfigPath}`,
                '--leader-elect=false',
                `--controllers=${controllers.join(',')}`,
                `--service-account-private-key-file=${credentials.serviceAccountKey}`,
                `--root-ca-file=${credentials.caCert}`,
                '--use-service-account-credentials=false',
                '--secure-port=0',
                '--profiling=false',
              ],
              logDir: options.logDir,
              // The default ServiceAccount appears once the controllers run against this server.
              ready: async () =>
                !!(await client.get({
                  apiVersion: 'v1',
                  kind: 'ServiceAccount',
                  namespace: 'default',
                  name: 'default',
                })),
              readyTimeoutMs: 120_000,
            }),
          );
          timingsMs.controllerManager = Date.now() - t0;
        })(),
      );
    }
    if (options.installKubeVirtCrds) {
      phases.push(
        (async () => {
          const t0 = Date.now();
          await installKubeVirtCrds(client);
          timingsMs.kubevirtCrds = Date.now() - t0;
        })(),
      );
    }
    const results = await Promise.allSettled(phases);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    timingsMs.total = Date.now() - started;
    return { url, kubeconfigPath, etcdPrefix: options.etcdPrefix, timingsMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
