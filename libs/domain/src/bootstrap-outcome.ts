// The bootstrap outcome contract: how each tenant node's cloud-init bootstrap tells the platform, through the tenant
// API, how far it got and where it stopped. The provisioner renders the writers (cloud-init) and reads the objects;
// the simulator plays them. Documented for node-image authors in services/provisioner/src/render/BOOTSTRAP.md.

/** One ConfigMap per node in kube-system, named after the node; all carry `label`. */
export const bootstrapOutcome = {
  namespace: 'kube-system',
  label: 'kubelabs.io/bootstrap-outcome',
  labelValue: 'true',
  /** Lets the workers' bootstrap token update exactly their own outcome ConfigMaps (resourceNames). */
  roleName: 'kubelabs:bootstrap-outcome',
  /** The group kubeadm gives the bootstrap token the platform mints. */
  bootstrapGroup: 'system:bootstrappers:kubeadm:default-node-token',
  keys: {
    phase: 'phase',
    node: 'node',
    step: 'step',
    message: 'message',
    log: 'log',
    updatedAt: 'updatedAt',
  },
} as const;

export function bootstrapOutcomeName(node: string): string {
  return `kubelabs-bootstrap-${node}`;
}

/**
 * `Pending`: created by the control plane for a worker that has not reported yet. `Running`: at `step`. `Succeeded`:
 * the node's bootstrap and the lab's setup for it are done. `Failed`: stopped at `step`, with `message`.
 */
export type BootstrapPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface NodeBootstrapOutcome {
  node: string;
  phase: BootstrapPhase;
  step: string;
  message: string;
}

export type BootstrapProgress =
  | { state: 'unknown'; message: string }
  | { state: 'running'; node: string; step: string; message: string }
  | { state: 'succeeded'; message: string }
  | { state: 'failed'; node: string; step: string; message: string };

const phases = new Set<BootstrapPhase>(['Pending', 'Running', 'Succeeded', 'Failed']);

/** Pure: a ConfigMap's data as an outcome; null when it is not one (a malformed object is ignored, not trusted). */
export function parseBootstrapOutcome(data: Record<string, string> | undefined): NodeBootstrapOutcome | null {
  const k = bootstrapOutcome.keys;
  const phase = data?.[k.phase];
  const node = data?.[k.node];
  if (!phase || !node || !phases.has(phase as BootstrapPhase)) return null;
  return {
    node,
    phase: phase as BootstrapPhase,
    step: redactSecrets(data[k.step] ?? '').slice(0, 200),
    message: redactSecrets(data[k.message] ?? '').slice(0, 500),
  };
}

/**
 * Pure: how far the tenant's bootstrap is, from the outcomes of its expected nodes. Any failure wins (the tenant
 * cannot recover by itself); success needs every expected node Succeeded; otherwise the furthest news.
 */
export function planBootstrapProgress(outcomes: NodeBootstrapOutcome[], expectedNodes: string[]): BootstrapProgress {
  const byNode = new Map(outcomes.map((outcome) => [outcome.node, outcome]));
  for (const node of expectedNodes) {
    const outcome = byNode.get(node);
    if (outcome?.phase === 'Failed')
      return {
        state: 'failed',
        node,
        step: outcome.step || 'unknown step',
        message: `${node}: ${outcome.step || 'unknown step'}${outcome.message ? `: ${outcome.message}` : ''}`,
      };
  }
  const pending = expectedNodes.filter((node) => byNode.get(node)?.phase !== 'Succeeded');
  if (pending.length === 0) return { state: 'succeeded', message: `${expectedNodes.length} nodes bootstrapped` };
  const running = pending.map((node) => byNode.get(node)).find((outcome) => outcome?.phase === 'Running');
  if (running)
    return {
      state: 'running',
      node: running.node,
      step: running.step,
      message: `${running.node}: ${running.step}`,
    };
  return { state: 'unknown', message: `waiting for the bootstrap of ${pending.join(', ')}` };
}

/** kubeadm bootstrap tokens and PEM blocks never leave the tenant through a message, whatever a script printed. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, '[token]')
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, '[pem]');
}
