// [simulator] The decision at the heart of the KubeVirt simulator, kept pure: given a VirtualMachine as the API server
// holds it, when its boot began and the clock, what should its status be? `null` means "already right, write nothing",
// which keeps the loop idempotent and the API server quiet once every VM has settled.
import { unitHash } from './hash-name';
import { vmKey, type VirtualMachine, type VmCondition, type VmStatus } from './virtual-machine';

export interface BootOptions {
  /** How long a guest takes from first sight to Running. */
  bootMs: number;
  /** Share of VMs (0..1) whose guest never boots, chosen by a hash of seed and name. */
  failRatio: number;
  seed: string;
}

/** Run strategies under which KubeVirt keeps a VMI running; anything else (Halted, Manual, ...) leaves it stopped. */
const runningStrategies = new Set(['Always', 'RerunOnFailure', 'Once']);
/** Outcomes a boot ends in; once reached they stick for as long as the VM should run. */
const finalStatuses = new Set(['Running', 'CrashLoopBackOff']);

export function runsGuest(vm: VirtualMachine): boolean {
  const strategy = vm.spec?.runStrategy;
  return strategy === undefined ? vm.spec?.running === true : runningStrategies.has(strategy);
}

/** bootMs plus up to 20% (at most one second) of jitter from the name, so a pool's VMs do not all turn at once. */
export function bootDelayMs(vm: VirtualMachine, bootMs: number): number {
  const spread = Math.min(Math.floor(bootMs * 0.2), 1000);
  return bootMs + Math.floor(unitHash(`jitter:${vmKey(vm)}`) * (spread + 1));
}

export function failsToBoot(vm: VirtualMachine, options: Pick<BootOptions, 'failRatio' | 'seed'>): boolean {
  return unitHash(`fail:${options.seed}:${vmKey(vm)}`) < options.failRatio;
}

type Outcome = 'Starting' | 'Running' | 'CrashLoopBackOff' | 'Stopped';

function desiredOutcome(vm: VirtualMachine, bootStartedAt: number, now: Date, options: BootOptions): Outcome {
  if (!runsGuest(vm)) return 'Stopped';
  const current = vm.status?.printableStatus;
  if (current !== undefined && finalStatuses.has(current)) return current as Outcome;
  if (now.getTime() - bootStartedAt < bootDelayMs(vm, options.bootMs)) return 'Starting';
  return failsToBoot(vm, options) ? 'CrashLoopBackOff' : 'Running';
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string): VmCondition {
  return { type, status, reason, message };
}

function statusFor(outcome: Outcome, vm: VirtualMachine, options: BootOptions): VmStatus {
  switch (outcome) {
    case 'Running':
      return {
        created: true,
        ready: true,
        printableStatus: 'Running',
        conditions: [condition('Ready', 'True', '', ''), condition('AgentConnected', 'True', '', '')],
      };
    case 'Starting':
      return {
        created: true,
        ready: false,
        printableStatus: 'Starting',
        conditions: [condition('Ready', 'False', 'GuestNotRunning', '[simulator] guest is booting')],
      };
    case 'CrashLoopBackOff':
      return {
        created: true,
        ready: false,
        printableStatus: 'CrashLoopBackOff',
        conditions: [
          condition(
            'Ready',
            'False',
            'GuestBootFailed',
            `[simulator] guest failed to boot (failRatio ${options.failRatio}, seed ${options.seed})`,
          ),
        ],
      };
    case 'Stopped':
      return {
        created: false,
        ready: false,
        printableStatus: 'Stopped',
        conditions: [
          condition('Ready', 'False', 'VMINotExists', `[simulator] runStrategy is ${vm.spec?.runStrategy ?? 'unset'}`),
        ],
      };
  }
}

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
function kubeTime(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function sameCondition(a: VmCondition, b: VmCondition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '')
  );
}

function sameStatus(current: VmStatus | undefined, desired: VmStatus): boolean {
  if (!current) return false;
  const conditions = current.conditions ?? [];
  return (
    current.created === desired.created &&
    current.ready === desired.ready &&
    current.printableStatus === desired.printableStatus &&
    conditions.length === desired.conditions?.length &&
    desired.conditions.every((want) => conditions.some((have) => sameCondition(have, want)))
  );
}

/**
 * The status the VM should carry now, or null when it already does. A condition keeps its lastTransitionTime while
 * its status does not change.
 */
export function planVmStatus(
  vm: VirtualMachine,
  bootStartedAt: number,
  now: Date,
  options: BootOptions,
): VmStatus | null {
  const desired = statusFor(desiredOutcome(vm, bootStartedAt, now, options), vm, options);
  if (sameStatus(vm.status, desired)) return null;
  const previous = vm.status?.conditions ?? [];
  desired.conditions = desired.conditions?.map((want) => {
    const kept = previous.find((have) => have.type === want.type && have.status === want.status);
    return { ...want, lastTransitionTime: kept?.lastTransitionTime ?? kubeTime(now) };
  });
  return desired;
}

/** Whether the VM's boot is still to be decided, i.e. the simulator must remember when it began. */
export function isBooting(vm: VirtualMachine): boolean {
  const current = vm.status?.printableStatus;
  return runsGuest(vm) && !(current !== undefined && finalStatuses.has(current));
}
