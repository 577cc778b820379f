// Cloud-init user data that turns a tenant VM into a kubeadm node. The platform's pre-minted CA and bootstrap token go
// in, so the control plane's cluster trusts the student's kubeconfig and workers join without a round trip through the
// platform. The result carries private keys and the token: it belongs in a Secret only.
import { bootstrapOutcome, bootstrapOutcomeName, platformSshUser, tenantNodeNames, type Lab } from '@kubelabs/domain';
import { stringify } from 'yaml';
import type { TenantCredentials } from '@kubelabs/domain';
import type { TenantRef } from './kubernetes-object';
import type { ResolvedRenderOptions } from './render-options';
import { kubeApiHost, kubeApiPort, kubeApiServiceNames } from './tenant-names';

/** Files on each node that report how its bootstrap went; the provisioner observes the control plane's. */
export const bootstrapMarkers = {
  /** Written last on the control plane: kubeadm init done, every worker registered, the lab's setup ran. */
  complete: '/var/lib/kubelabs/bootstrap.complete',
  /** Holds the failing step when the bootstrap stopped. */
  failed: '/var/lib/kubelabs/bootstrap.failed',
  log: '/var/log/kubelabs-bootstrap.log',
} as const;

export const studentUser = 'student';

const kubeadmConfigPath = '/etc/kubelabs/kubeadm.yaml';
const outcomeManifestPath = '/etc/kubelabs/bootstrap-outcome.yaml';
const caCopyPath = '/etc/kubelabs/ca.crt';
const bootstrapScriptPath = '/usr/local/lib/kubelabs/bootstrap.sh';
const labSetupScriptPath = '/usr/local/lib/kubelabs/lab-setup.sh';

export interface CloudInitInput {
  lab: Pick<Lab, 'id' | 'setup'>;
  tenant: TenantRef;
  credentials: TenantCredentials;
  options: ResolvedRenderOptions;
  workerCount: number;
  /** For a worker's user data: which worker (from 1), hence its node name. */
  workerIndex?: number;
}

/** kubeadm's config API: v1beta4 from Kubernetes 1.31 (v1beta3 is deprecated there), v1beta3 from 1.22. */
export function kubeadmApiVersion(kubernetesVersion: string): string {
  return minorOf(kubernetesVersion) >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/**
 * How long `kubeadm init` waits before it gives up. Its defaults (the API server must answer within 1 min of its
 * static pod being written, components be healthy within 4 min) assume a dedicated machine; a lab control plane has
 * 1-2 vCPUs on a host where a whole pool boots at once, and a VM lane measured its API server taking longer than the
 * minute. Giving up fails the tenant, which the pool then rebuilds from scratch: waiting is the cheaper outcome.
 */
export const kubeadmTimeouts = {
  controlPlaneComponentHealthCheck: '10m0s',
  kubeletHealthCheck: '10m0s',
  kubernetesAPICall: '5m0s',
  etcdAPICall: '5m0s',
} as const;

export function renderKubeadmConfig(input: CloudInitInput): string {
  const { tenant, credentials, options } = input;
  const apiVersion = kubeadmApiVersion(tenant.kubernetesVersion);
  const initConfiguration = {
    apiVersion,
    kind: 'InitConfiguration',
    bootstrapTokens: [
      {
        token: credentials.bootstrapToken,
        description: 'kubelabs: joins the tenant workers',
        // Never expires: a pooled tenant may wait days for a claim, and a worker rebuilt from its containerDisk joins
        // again with it. It only lets a node join this throwaway cluster, whose admins are the students anyway.
        ttl: '0s',
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ],
    nodeRegistration: {
      // Lab control planes are deliberately small (1.5 GiB, 1-2 vCPUs); kubeadm's 1700 MB and 2 CPU floors would stop them.
      ignorePreflightErrors: ['NumCPU', 'Mem'],
    },
    ...(apiVersion === 'kubeadm.k8s.io/v1beta4' ? { timeouts: kubeadmTimeouts } : {}),
  };
  const clusterConfiguration = {
    apiVersion,
    kind: 'ClusterConfiguration',
    // A valid label on its own; the bootstrap script pins it to the image's exact kubeadm version, which spares
    // kubeadm a lookup on the internet the VM may not have.
    kubernetesVersion: `stable-${tenant.kubernetesVersion}`,
    controlPlaneEndpoint: `${kubeApiHost(tenant.id, options.hostClusterDomain)}:${kubeApiPort}`,
    apiServer: {
      certSANs: [...kubeApiServiceNames(tenant.id, options.hostClusterDomain), ...options.apiServerExtraSans],
      ...(apiVersion === 'kubeadm.k8s.io/v1beta3'
        ? { timeoutForControlPlane: kubeadmTimeouts.controlPlaneComponentHealthCheck }
        : {}),
    },
    networking: { ...options.tenantNetworking },
  };
  return [initConfiguration, clusterConfiguration].map((document) => yaml(document)).join('---\n');
}

export function renderControlPlaneUserData(input: CloudInitInput): string {
  const { lab, tenant, credentials, options } = input;
  const host = kubeApiHost(tenant.id, options.hostClusterDomain);
  const admin = '/etc/kubernetes/admin.conf';
  const names = tenantNodeNames(input.workerCount);
  const script = [
    ...scriptPreamble('control plane', tenant.kubernetesVersion, {
      node: names.controlPlane,
      // Its own API: a few tries are enough once kubeadm init has run; before, nothing can be reported.
      kubectl: `kubectl --kubeconfig ${admin}`,
      write: 'apply',
      rounds: 3,
    }),
    `sed -i "s/^kubernetesVersion: .*/kubernetesVersion: $have/" ${kubeadmConfigPath}`,
    '# The control plane reaches its own API by the Service name without a hairpin through the host network.',
    `grep -q ${q(` ${host}$`)} /etc/hosts || echo ${q(`127.0.0.1 ${host}`)} >>/etc/hosts`,
    'step="kubeadm init"',
    `kubeadm init --config ${kubeadmConfigPath}`,
    'step="bootstrap outcome objects"',
    `kubectl --kubeconfig ${admin} apply -f ${outcomeManifestPath}`,
    'report Running || true',
    'step="student kubeconfig"',
    `install -d -m 0700 -o ${studentUser} -g ${studentUser} /home/${studentUser}/.kube`,
    `install -m 0600 -o ${studentUser} -g ${studentUser} ${admin} /home/${studentUser}/.kube/config`,
    'step="CNI"',
    // The image's manifest is flannel's, written for the default pod subnet: its net-conf.json `"Network"` becomes this
    // tenant's (kubeadm gives each node a podCIDR inside podSubnet, and flannel refuses a podCIDR outside its Network).
    `if [ -f ${q(options.cniManifestPath)} ]; then sed -E ${q(`s#"Network": *"[^"]*"#"Network": "${options.tenantNetworking.podSubnet}"#`)} ${q(options.cniManifestPath)} | kubectl --kubeconfig ${admin} apply -f -; fi`,
    'report Running || true',
    ...waitForNodes(1 + input.workerCount, admin),
    ...runLabSetup(lab.setup.controlPlane),
    'step="done"',
    'report Succeeded || true',
    `touch ${bootstrapMarkers.complete}`,
    '',
  ].join('\n');

  return cloudConfig(credentials, {
    ...(credentials.sshHostKey
      ? {
          ssh_deletekeys: true,
          ssh_keys: {
            ecdsa_private: credentials.sshHostKey.privateKeyPem,
            ecdsa_public: credentials.sshHostKey.publicKey,
          },
        }
      : {}),
    write_files: [
      {
        path: '/etc/kubernetes/pki/ca.crt',
        owner: 'root:root',
        permissions: '0644',
        content: credentials.caCertificatePem,
      },
      { path: '/etc/kubernetes/pki/ca.key', owner: 'root:root', permissions: '0600', content: credentials.caKeyPem },
      { path: kubeadmConfigPath, owner: 'root:root', permissions: '0600', content: renderKubeadmConfig(input) },
      {
        path: outcomeManifestPath,
        owner: 'root:root',
        permissions: '0644',
        content: renderBootstrapOutcomeManifest(names.controlPlane, names.workers),
      },
      { path: bootstrapScriptPath, owner: 'root:root', permissions: '0700', content: script },
      ...labSetupFile(lab, 'control plane', lab.setup.controlPlane, `export KUBECONFIG=${admin}`),
    ],
  });
}

export function renderWorkerUserData(input: CloudInitInput): string {
  const { lab, tenant, credentials, options } = input;
  const endpoint = `${kubeApiHost(tenant.id, options.hostClusterDomain)}:${kubeApiPort}`;
  const attempts = 3;
  const node = nodeHostname(input.workerIndex ?? 1);
  const script = [
    ...scriptPreamble('worker', tenant.kubernetesVersion, {
      // A variable, so that a failing command's text (the report's message) shows `$token`, never the token.
      variables: [`token=${q(credentials.bootstrapToken)}`],
      node,
      // The bootstrap token may update only this node's outcome ConfigMap, once the control plane has created it; the
      // rounds outlast a control plane that is still booting.
      kubectl: `kubectl --server ${q(`https://${endpoint}`)} --certificate-authority ${caCopyPath} --token "$token"`,
      write: 'replace',
      rounds: 60,
    }),
    // No report before the join: the control plane creates this node's ConfigMap only after its own kubeadm init,
    // and the join must not wait for it. A failed join is still reported, from the ERR trap.
    // kubeadm retries discovery for five minutes by itself (the control plane boots meanwhile); a few rounds on top,
    // with a reset between them, outlast a slow control plane without looping forever.
    'step="kubeadm join"',
    `for attempt in $(seq 1 ${attempts}); do`,
    `  if kubeadm join ${q(endpoint)} --token "$token" --discovery-token-ca-cert-hash ${q(credentials.caCertHash)}; then break; fi`,
    `  if [ "$attempt" -eq ${attempts} ]; then echo "kubeadm join failed ${attempts} times" >${bootstrapMarkers.failed}; report Failed "kubeadm join failed ${attempts} times" || true; exit 1; fi`,
    '  kubeadm reset --force || true',
    '  sleep 10',
    'done',
    'report Running || true',
    ...runLabSetup(lab.setup.workers),
    'step="done"',
    'report Succeeded || true',
    `touch ${bootstrapMarkers.complete}`,
    '',
  ].join('\n');

  return cloudConfig(credentials, {
    write_files: [
      { path: caCopyPath, owner: 'root:root', permissions: '0644', content: credentials.caCertificatePem },
      { path: bootstrapScriptPath, owner: 'root:root', permissions: '0700', content: script },
      ...labSetupFile(lab, 'worker', lab.setup.workers, 'export KUBECONFIG=/etc/kubernetes/kubelet.conf'),
    ],
  });
}

/** The parts both roles share: the student account, SSH policy, the guest agent, then the role's bootstrap script. */
function cloudConfig(credentials: TenantCredentials, roleConfig: Record<string, unknown>): string {
  const document = {
    users: [
      {
        name: studentUser,
        gecos: 'kubelabs student',
        shell: '/bin/bash',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
      },
      // The platform's own login, for lab checks that run a script on the node (exit code 0 passes).
      ...(credentials.platformSshKey
        ? [
            {
              name: platformSshUser,
              gecos: 'kubelabs platform (lab checks)',
              shell: '/bin/bash',
              sudo: 'ALL=(ALL) NOPASSWD:ALL',
              lock_passwd: true,
              ssh_authorized_keys: [credentials.platformSshKey.publicKey],
            },
          ]
        : []),
    ],
    // Keys reach `student` through KubeVirt's accessCredentials (qemu guest agent), so they can change after boot.
    ssh_pwauth: false,
    disable_root: true,
    ...roleConfig,
    runcmd: ['systemctl start --no-block qemu-guest-agent || true', bootstrapScriptPath],
  };
  return `#cloud-config\n${yaml(document)}`;
}

interface ReportSettings {
  /** The node name the outcome is about (the ConfigMap is named after it). */
  node: string;
  /** kubectl with the connection and identity the node reports with. */
  kubectl: string;
  /** `apply` (the control plane, an admin) or `replace` (a worker, allowed to update its pre-created ConfigMap only). */
  write: 'apply' | 'replace';
  /** Tries, 5 s apart, before a report is given up (the bootstrap goes on regardless). */
  rounds: number;
  /** Assignments the report and the script use, set before anything can fail. */
  variables?: string[];
}

/**
 * `report PHASE [MESSAGE]`: writes this node's outcome ConfigMap (the contract in @kubelabs/domain bootstrap-outcome)
 * with the current `$step`, the message and the log's tail (tokens masked). Never fails the bootstrap.
 */
function reportFunction(settings: ReportSettings): string[] {
  const k = bootstrapOutcome.keys;
  const name = bootstrapOutcomeName(settings.node);
  return [
    'report() {',
    '  local phase="$1" message="${2:-}" logtail attempt',
    `  logtail="$(tail -n 40 ${bootstrapMarkers.log} 2>/dev/null | sed -E 's/[a-z0-9]{6}\\.[a-z0-9]{16}/[token]/g' || true)"`,
    `  for attempt in $(seq 1 ${settings.rounds}); do`,
    `    if ${settings.kubectl} -n ${bootstrapOutcome.namespace} create configmap ${name} --dry-run=client -o yaml \\`,
    `        --from-literal=${k.phase}="$phase" --from-literal=${k.node}=${settings.node} --from-literal=${k.step}="$step" \\`,
    `        --from-literal=${k.message}="$message" --from-literal=${k.log}="$logtail" \\`,
    `        --from-literal=${k.updatedAt}="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \\`,
    `      | ${settings.kubectl} label --local -f - -o yaml ${bootstrapOutcome.label}=${bootstrapOutcome.labelValue} \\`,
    `      | ${settings.kubectl} ${settings.write} -f - >/dev/null; then return 0; fi`,
    '    sleep 5',
    '  done',
    '  echo "could not report $phase to the tenant API"',
    '  return 1',
    '}',
  ];
}

function scriptPreamble(role: string, kubernetesVersion: string, report: ReportSettings): string[] {
  const state = bootstrapMarkers.complete.slice(0, bootstrapMarkers.complete.lastIndexOf('/'));
  return [
    '#!/bin/bash',
    `# Written by kubelabs: makes this VM the tenant's ${role}. Progress in ${bootstrapMarkers.log}; ends by writing`,
    `# ${bootstrapMarkers.complete}, or ${bootstrapMarkers.failed} with the failing step, and reports both in the`,
    `# ${bootstrapOutcome.namespace}/${bootstrapOutcomeName(report.node)} ConfigMap (see BOOTSTRAP.md).`,
    'set -euo pipefail',
    `mkdir -p ${state}`,
    `exec >>${bootstrapMarkers.log} 2>&1`,
    ...(report.variables ?? []),
    ...reportFunction(report),
    'step="version check"',
    `trap 'echo "$step: line $LINENO: $BASH_COMMAND" >${bootstrapMarkers.failed}; report Failed "line $LINENO: $BASH_COMMAND" || true' ERR`,
    `want=${q(kubernetesVersion)}`,
    'have="$(kubeadm version -o short)"',
    'case "$have" in',
    '  "v$want".*) ;;',
    `  *) echo "the image ships kubeadm $have, the lab wants Kubernetes $want" >${bootstrapMarkers.failed}; report Failed "the image ships kubeadm $have, the lab wants Kubernetes $want" || true; exit 1 ;;`,
    'esac',
  ];
}

/** Waits, bounded, until every node has registered, so the lab's setup may act on workers and the control plane's
 *  marker means the whole cluster is there. Registration, not Ready: a scenario may break a node on purpose. */
function waitForNodes(expected: number, kubeconfig: string): string[] {
  if (expected <= 1) return [];
  const rounds = 120;
  return [
    'step="waiting for workers"',
    `for attempt in $(seq 1 ${rounds}); do`,
    `  joined="$(kubectl --kubeconfig ${kubeconfig} get nodes --no-headers 2>/dev/null | wc -l || true)"`,
    `  if [ "$joined" -ge ${expected} ]; then break; fi`,
    `  if [ "$attempt" -eq ${rounds} ]; then echo "only $joined of ${expected} nodes joined" >${bootstrapMarkers.failed}; report Failed "only $joined of ${expected} nodes joined" || true; exit 1; fi`,
    '  sleep 5',
    'done',
  ];
}

/**
 * What the control plane applies right after `kubeadm init`: a Role letting the bootstrap token's group update
 * exactly the workers' outcome ConfigMaps (resourceNames; no create, no list, nothing else), and those ConfigMaps,
 * Pending. A worker has no other credential before it joins, and none that may write kube-system after.
 */
export function renderBootstrapOutcomeManifest(controlPlaneName: string, workerNames: string[]): string {
  // Every node's ConfigMap, the control plane's own included: a lab without workers still applies one object
  // (`kubectl apply` fails on a file with none, an empty List included, as a real control plane showed).
  const documents: unknown[] = [controlPlaneName, ...workerNames].map((node) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(bootstrapOutcomeName(node)),
    data: {
      [bootstrapOutcome.keys.phase]: 'Pending',
      [bootstrapOutcome.keys.node]: node,
      [bootstrapOutcome.keys.step]: '',
      [bootstrapOutcome.keys.message]: '',
    },
  }));
  if (workerNames.length > 0)
    documents.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta(bootstrapOutcome.roleName),
        rules: [
          {
            apiGroups: [''],
            resources: ['configmaps'],
            resourceNames: workerNames.map(bootstrapOutcomeName),
            verbs: ['get', 'update'],
          },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta(bootstrapOutcome.roleName),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: bootstrapOutcome.roleName },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: bootstrapOutcome.bootstrapGroup }],
      },
    );
  return documents.map((document) => yaml(document)).join('---\n');
}

function meta(name: string) {
  return {
    name,
    namespace: bootstrapOutcome.namespace,
    labels: { [bootstrapOutcome.label]: bootstrapOutcome.labelValue },
  };
}

function nodeHostname(workerIndex: number): string {
  return tenantNodeNames(workerIndex).workers[workerIndex - 1]!;
}

function runLabSetup(setup: string | undefined): string[] {
  return hasSetup(setup) ? ['step="lab setup"', labSetupScriptPath] : [];
}

function labSetupFile(lab: Pick<Lab, 'id'>, role: string, setup: string | undefined, environment: string) {
  if (!hasSetup(setup)) return [];
  const content = [
    '#!/bin/bash',
    `# Scenario setup of lab ${lab.id} for the ${role}, from the catalog. Runs as root once the node is in the cluster.`,
    'set -eo pipefail',
    environment,
    setup.endsWith('\n') ? setup : `${setup}\n`,
  ].join('\n');
  return [{ path: labSetupScriptPath, owner: 'root:root', permissions: '0700', content }];
}

function hasSetup(setup: string | undefined): setup is string {
  return setup !== undefined && setup.trim() !== '';
}

function minorOf(kubernetesVersion: string): number {
  return Number(kubernetesVersion.split('.')[1]);
}

function q(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function yaml(document: unknown): string {
  return stringify(document, { lineWidth: 0 });
}
