// [simulator] Plays KubeVirt (and the tenant clusters inside its VMs) against a real kube-apiserver that has KubeVirt's
// CRDs but no KubeVirt controller: a level-triggered loop that boots VirtualMachines into Running or CrashLoopBackOff,
// plus a loopback HTTP server answering for each tenant's API. Development and tests only; product code never imports it.
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { planVmInstances } from './plan-vm-instances';
import { isBooting, planVmStatus, type BootOptions } from './plan-vm-status';
import { startTenantApiServer, type TenantApiServer } from './tenant-api-server';
import { TenantScenarios } from './tenant-scenarios';
import {
  kubevirt,
  labelKeys,
  managedByValue,
  vmKey,
  type VirtualMachine,
  type VirtualMachineInstance,
} from './virtual-machine';

export interface KubeVirtSimulatorOptions {
  /** A loaded KubeConfig or the path of a kubeconfig file for the host cluster. */
  kubeconfig: KubeConfig | string;
  /** Time from first sight of a VM to its boot outcome (plus a little jitter from its name). Default 3000. */
  bootMs?: number;
  /** Share (0..1) of VMs whose guest fails to boot, chosen deterministically from seed and name. Default 0. */
  failRatio?: number;
  seed?: string | number;
  /** Pause between two passes of the loop. Default 250. */
  pollMs?: number;
  /** Port of the tenant API server on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /**
   * Extra label selector ANDed with `app.kubernetes.io/managed-by=kubelabs`, so that several simulators sharing one
   * API server (parallel tests) each play only their own VMs, e.g. `kubelabs.io/tenant in (a,b)`.
   */
  labelSelector?: string;
  /** Kubernetes version the tenant API reports when the VMs carry no `kubelabs.io/kubernetes-version` label. */
  defaultKubernetesVersion?: string;
  /** Also keep a VirtualMachineInstance (phase Running, guest IP) for each Running VM. Default true. */
  mirrorInstances?: boolean;
  /** How long start() waits for an API server that answers 429 or 5xx (still starting). Default 10000. */
  startTimeoutMs?: number;
  /** Where log lines go; each starts with `[simulator]`. Default: stderr. */
  log?: (line: string) => void;
}

const simulatedNodeName = 'simulated-host';

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function describe(error: unknown): string {
  const code = statusCodeOf(error);
  if (code !== undefined) {
    let body = (error as { body?: unknown }).body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // keep the raw text
      }
    }
    const message =
      typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : String(body ?? '');
    return `HTTP ${code} ${message}`.trim();
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

export class KubeVirtSimulator {
  private readonly api: CustomObjectsApi;
  private readonly boot: BootOptions;
  private readonly pollMs: number;
  private readonly startTimeoutMs: number;
  private readonly port: number;
  private readonly selector: string;
  private readonly defaultKubernetesVersion: string;
  private readonly log: (line: string) => void;
  private mirrorInstances: boolean;
  /** When each booting VM (by uid) was first seen; entries leave once the boot is decided or the VM is gone. */
  private readonly bootStartedAt = new Map<string, number>();
  /** The last error reported per VM or step, so a lasting failure is logged once rather than every pass. */
  private readonly reportedErrors = new Map<string, string>();
  private vmsByNamespace = new Map<string, VirtualMachine[]>();
  /** What the stand-in tenant API plays per tenant: tests call `solve` and `failBootstrap` on it. */
  readonly scenarios = new TenantScenarios();
  private server: TenantApiServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private running = false;

  constructor(options: KubeVirtSimulatorOptions) {
    const bootMs = options.bootMs ?? 3000;
    const failRatio = options.failRatio ?? 0;
    this.pollMs = options.pollMs ?? 250;
    this.port = options.port ?? 0;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    if (!Number.isFinite(bootMs) || bootMs < 0) throw new RangeError(`[simulator] bootMs must be >= 0 (got ${bootMs})`);
    if (!(failRatio >= 0 && failRatio <= 1))
      throw new RangeError(`[simulator] failRatio must be within 0..1 (got ${failRatio})`);
    if (!Number.isFinite(this.pollMs) || this.pollMs < 10)
      throw new RangeError(`[simulator] pollMs must be >= 10 (got ${this.pollMs})`);
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535)
      throw new RangeError(`[simulator] port must be 0..65535 (got ${this.port})`);
    this.boot = { bootMs, failRatio, seed: String(options.seed ?? 'kubelabs') };
    const managed = `${labelKeys.managedBy}=${managedByValue}`;
    this.selector = options.labelSelector ? `${managed},${options.labelSelector}` : managed;
    this.defaultKubernetesVersion = options.defaultKubernetesVersion ?? 'v1.36.0';
    this.mirrorInstances = options.mirrorInstances ?? true;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const config = typeof options.kubeconfig === 'string' ? new KubeConfig() : options.kubeconfig;
    if (typeof options.kubeconfig === 'string') config.loadFromFile(options.kubeconfig);
    this.api = config.makeApiClient(CustomObjectsApi);
  }

  /** Starts the tenant API server and the loop. Fails if the VirtualMachines cannot be listed at all. */
  async start(): Promise<void> {
    if (this.running) throw new Error('[simulator] already started');
    this.running = true;
    try {
      this.server = await startTenantApiServer(
        this.port,
        (namespace) => this.vmsByNamespace.get(namespace),
        {
          defaultKubernetesVersion: this.defaultKubernetesVersion,
          scenarioOf: (namespace, labId) => this.scenarios.stateOf(namespace, labId),
        },
        this.scenarios,
      );
      await this.firstPass();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.schedule();
  }

  /** The first pass must list: an API server still warming up (429, 5xx) gets until startTimeoutMs, anything else fails. */
  private async firstPass(): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      try {
        await this.listVirtualMachines();
        break;
      } catch (error) {
        const code = statusCodeOf(error);
        const warmingUp = code === 429 || (code !== undefined && code >= 500);
        if (!warmingUp || Date.now() >= deadline)
          throw new Error(`[simulator] cannot list VirtualMachines: ${describe(error)}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, 500)));
      }
    }
    this.log(
      `[simulator] playing KubeVirt for VMs matching ${this.selector} (bootMs ${this.boot.bootMs}, failRatio ${this.boot.failRatio}, ` +
        `seed ${this.boot.seed}); tenant API at ${this.tenantApiUrlTemplate}`,
    );
    await this.reconcileAll();
  }

  /** Stops the loop after the pass in flight and closes the tenant API server. Safe to call twice. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pass;
    await this.server?.close();
    this.server = undefined;
  }

  /** `http://127.0.0.1:<port>/tenants/{namespace}`, for the provisioner's TENANT_API_URL_TEMPLATE. */
  get tenantApiUrlTemplate(): string {
    if (!this.server) throw new Error('[simulator] not started');
    return this.server.urlTemplate;
  }

  /** `namespace/name` of every VM the last pass saw: what the simulator currently knows about. */
  knownVirtualMachines(): string[] {
    return [...this.vmsByNamespace.values()].flat().map(vmKey).toSorted();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.pass = this.reconcileAll()
        .catch((error: unknown) => this.report('pass', 'pass failed', error))
        .finally(() => this.schedule());
    }, this.pollMs);
  }

  /** One bounded pass: list, plan and write each VM's status, mirror VMIs, forget what is gone. */
  private async reconcileAll(): Promise<void> {
    const now = new Date();
    let vms: VirtualMachine[];
    try {
      vms = await this.listVirtualMachines();
      this.reportedErrors.delete('list');
    } catch (error) {
      this.report('list', 'cannot list VirtualMachines', error);
      return;
    }
    const seen = new Set<string>();
    const observed: VirtualMachine[] = [];
    for (const vm of vms) {
      const id = `vm:${vm.metadata.uid ?? vmKey(vm)}`;
      seen.add(id);
      try {
        observed.push(vm.metadata.deletionTimestamp ? vm : await this.reconcileVirtualMachine(vm, id, now));
      } catch (error) {
        // One odd VM must not stop the others: report it and move on.
        this.report(id, `cannot reconcile VirtualMachine ${vmKey(vm)}`, error);
        observed.push(vm);
      }
    }
    for (const id of this.bootStartedAt.keys()) if (!seen.has(id)) this.bootStartedAt.delete(id);
    for (const id of this.reportedErrors.keys())
      if (id.startsWith('vm:') && !seen.has(id)) this.reportedErrors.delete(id);
    const byNamespace = new Map<string, VirtualMachine[]>();
    for (const vm of observed)
      byNamespace.set(vm.metadata.namespace, [...(byNamespace.get(vm.metadata.namespace) ?? []), vm]);
    this.vmsByNamespace = byNamespace;
    if (this.mirrorInstances) await this.reconcileInstances(observed);
  }

  private async listVirtualMachines(): Promise<VirtualMachine[]> {
    const list = (await this.api.listCustomObjectForAllNamespaces({
      ...kubevirt,
      resourcePlural: 'virtualmachines',
      labelSelector: this.selector,
    })) as { items?: VirtualMachine[] };
    return list.items ?? [];
  }

  private async reconcileVirtualMachine(vm: VirtualMachine, id: string, now: Date): Promise<VirtualMachine> {
    if (isBooting(vm)) {
      if (!this.bootStartedAt.has(id)) this.bootStartedAt.set(id, now.getTime());
    } else {
      this.bootStartedAt.delete(id);
    }
    const status = planVmStatus(vm, this.bootStartedAt.get(id) ?? now.getTime(), now, this.boot);
    if (!status) return vm;
    try {
      const updated = (await this.api.patchNamespacedCustomObjectStatus(
        {
          ...kubevirt,
          namespace: vm.metadata.namespace,
          plural: 'virtualmachines',
          name: vm.metadata.name,
          body: { status },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as VirtualMachine;
      this.reportedErrors.delete(id);
      if (vm.status?.printableStatus !== status.printableStatus) {
        const reason = status.conditions?.find((c) => c.type === 'Ready')?.reason;
        this.log(`[simulator] VirtualMachine ${vmKey(vm)} is ${status.printableStatus}${reason ? ` (${reason})` : ''}`);
      }
      return updated;
    } catch (error) {
      // Gone between the list and the write: nothing to play any more.
      if (statusCodeOf(error) !== 404) this.report(id, `cannot write the status of VirtualMachine ${vmKey(vm)}`, error);
      return vm;
    }
  }

  private async reconcileInstances(vms: VirtualMachine[]): Promise<void> {
    let instances: VirtualMachineInstance[];
    try {
      const list = (await this.api.listCustomObjectForAllNamespaces({
        ...kubevirt,
        resourcePlural: 'virtualmachineinstances',
        labelSelector: this.selector,
      })) as { items?: VirtualMachineInstance[] };
      instances = list.items ?? [];
      this.reportedErrors.delete('instances');
    } catch (error) {
      if (statusCodeOf(error) === 404) {
        this.mirrorInstances = false;
        this.log('[simulator] the VirtualMachineInstance CRD is not installed: not mirroring VMIs');
      } else {
        this.report('instances', 'cannot list VirtualMachineInstances', error);
      }
      return;
    }
    const live = new Set([...vms, ...instances].map((object) => `vmi:${vmKey(object)}`));
    for (const key of this.reportedErrors.keys())
      if (key.startsWith('vmi:') && !live.has(key)) this.reportedErrors.delete(key);
    const plan = planVmInstances(vms, instances, simulatedNodeName);
    for (const vmi of plan.create) {
      const { namespace, name } = vmi.metadata;
      try {
        await this.api.createNamespacedCustomObject({
          ...kubevirt,
          namespace,
          plural: 'virtualmachineinstances',
          body: vmi,
        });
      } catch (error) {
        if (statusCodeOf(error) !== 409)
          this.report(`vmi:${vmKey(vmi)}`, `cannot create VirtualMachineInstance ${vmKey(vmi)}`, error);
        continue;
      }
      this.reportedErrors.delete(`vmi:${vmKey(vmi)}`);
      this.log(`[simulator] VirtualMachineInstance ${namespace}/${name} is Running`);
    }
    for (const vmi of plan.delete) {
      try {
        await this.api.deleteNamespacedCustomObject({
          ...kubevirt,
          namespace: vmi.metadata.namespace,
          plural: 'virtualmachineinstances',
          name: vmi.metadata.name,
        });
        this.log(`[simulator] VirtualMachineInstance ${vmKey(vmi)} deleted`);
      } catch (error) {
        if (statusCodeOf(error) !== 404)
          this.report(`vmi:${vmKey(vmi)}`, `cannot delete VirtualMachineInstance ${vmKey(vmi)}`, error);
      }
    }
  }

  private report(key: string, what: string, error: unknown): void {
    const line = `[simulator] ${what}: ${describe(error)}`;
    if (this.reportedErrors.get(key) === line) return;
    this.reportedErrors.set(key, line);
    this.log(line);
  }
}
