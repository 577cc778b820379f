// I/O: boots one tenant node with qemu from the lane's node disk (a copy-on-write overlay per VM) and a NoCloud seed
// (user data, meta-data, network-config, vendor data), on a private network shared with the tenant's other nodes: a
// qemu multicast socket bus on loopback (one group and port per tenant), which any number of VMs join in any order.
// (A listen/connect socket pair takes one peer only, and a worker whose qemu starts before the control plane's is
// listening is left silently unconnected: ARP never resolves.) Software emulation (TCG) unless KUBELABS_VM_ACCEL=kvm:
// on this machine kind KVM aborts or hangs under qemu 7.2.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnChild, stopChild } from '@kubelabs/testing';
import { GuestAgent } from './guest-agent';
import type { NodeDisk } from './node-disk';
import type { VmNodePlan } from './plan-vm-network';

const run = promisify(execFile);

export interface BootVmInput {
  disk: NodeDisk;
  plan: VmNodePlan;
  userData: string;
  cpu: number;
  memoryMiB: number;
  workDir: string;
  /** The tenant network: a multicast group and UDP port on loopback that every node of the tenant joins. */
  lan: { group: string; port: number };
  /** Host loopback port forwarded to the control plane's API port (6443). */
  apiForwardPort?: number;
  accel?: 'tcg' | 'kvm';
}

export interface BootedVm {
  name: string;
  role: 'control-plane' | 'worker';
  consoleLog: string;
  agent: GuestAgent;
  startedAt: number;
  /** 1, or more when qemu died before the guest agent answered and the VM was booted again. */
  bootAttempts: number;
  exited(): string | undefined;
  stop(): Promise<void>;
}

export async function bootVm(input: BootVmInput): Promise<BootedVm> {
  const dir = join(input.workDir, input.plan.name);
  mkdirSync(dir, { recursive: true });
  const seedDir = join(dir, 'seed');
  mkdirSync(seedDir, { recursive: true });
  writeFileSync(join(seedDir, 'user-data'), input.userData, { mode: 0o600 });
  writeFileSync(join(seedDir, 'meta-data'), input.plan.metaData);
  writeFileSync(join(seedDir, 'network-config'), input.plan.networkConfig);
  writeFileSync(join(seedDir, 'vendor-data'), input.plan.vendorData);
  const seed = join(dir, 'seed.iso');
  await run('genisoimage', ['-quiet', '-output', seed, '-volid', 'cidata', '-joliet', '-rock', seedDir]);
  const overlay = join(dir, 'disk.qcow2');

  const accel = input.accel ?? (process.env.KUBELABS_VM_ACCEL === 'kvm' ? 'kvm' : 'tcg');
  const qgaSocket = join(dir, 'qga.sock');
  const consoleLog = join(dir, 'console.log');
  const lan = `socket,id=lan,mcast=${input.lan.group}:${input.lan.port},localaddr=127.0.0.1`;
  const { kernel, initrd } = input.disk;
  const args: string[] = [
    '-name',
    input.plan.name,
    '-machine',
    'q35',
    ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max']),
    '-smp',
    String(input.cpu),
    '-m',
    String(input.memoryMiB),
    '-display',
    'none',
    '-nodefaults',
    '-no-user-config',
    '-serial',
    `file:${consoleLog}`,
    ...(kernel && initrd
      ? ['-kernel', kernel, '-initrd', initrd, '-append', 'root=LABEL=kubelabs-root rw console=ttyS0 net.ifnames=0']
      : []),
    '-drive',
    `file=${overlay},if=virtio,format=qcow2,cache=unsafe`,
    '-drive',
    `file=${seed},if=virtio,format=raw,readonly=on`,
    '-netdev',
    lan,
    '-device',
    `virtio-net-pci,netdev=lan,mac=${input.plan.lanMac}`,
    ...(input.plan.uplinkMac
      ? [
          '-netdev',
          `user,id=uplink,restrict=on${input.apiForwardPort ? `,hostfwd=tcp:127.0.0.1:${input.apiForwardPort}-:6443` : ''}`,
          '-device',
          `virtio-net-pci,netdev=uplink,mac=${input.plan.uplinkMac}`,
        ]
      : []),
    '-chardev',
    `socket,id=qga,path=${qgaSocket},server=on,wait=off`,
    '-device',
    'virtio-serial-pci',
    '-device',
    'virtserialport,chardev=qga,name=org.qemu.guest_agent.0',
    '-device',
    'virtio-rng-pci',
  ];
  const agent = new GuestAgent(qgaSocket);
  const started = Date.now();
  // qemu 7.2's software emulation now and then segfaults while the kernel boots (seen here: once in about ten boots,
  // 1.2 s in, `segfault ... in qemu-system-x86_64`). A VM that dies before its guest agent ever answered has run no
  // cloud-init, so it is booted again from a fresh overlay, a bounded number of times; a later death is the test's.
  for (let attempt = 1; ; attempt++) {
    rmSync(overlay, { force: true });
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', input.disk.disk, overlay]);
    const launched = launchQemu(args, join(dir, `qemu-${attempt}.log`));
    const up = await waitForAgent(agent, launched, agentTimeoutMs);
    if (up === 'up') {
      return {
        name: input.plan.name,
        role: input.plan.role,
        consoleLog,
        agent,
        startedAt: started,
        bootAttempts: attempt,
        exited: launched.exited,
        stop: launched.stop,
      };
    }
    await launched.stop();
    if (up === 'timeout' || attempt === maxBootAttempts)
      throw new Error(
        `${input.plan.name}: ${up === 'timeout' ? 'no guest agent' : launched.exited()} (attempt ${attempt})`,
      );
    console.warn(`[vm-lane] ${input.plan.name}: ${launched.exited()} before its guest agent answered; booting again`);
  }
}

const maxBootAttempts = 3;
/** Boot to userspace under TCG: about 40 s on an idle machine, 190 s at load 35. */
const agentTimeoutMs = 10 * 60_000;

interface LaunchedQemu {
  exited(): string | undefined;
  stop(): Promise<void>;
}

function launchQemu(args: string[], logPath: string): LaunchedQemu {
  const log = createWriteStream(logPath);
  // setpriv execs qemu with a parent-death signal: a test run that is killed takes its VMs with it.
  const child = spawnChild('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `qemu exited with ${code ?? signal} (see ${logPath})`;
  });
  return {
    exited: () => exited,
    stop: async () => {
      if (!exited) await stopChild(child, { graceMs: 5000 });
      log.end();
    },
  };
}

/** Until the guest agent answers (`up`), qemu exits (`exited`) or the bound passes (`timeout`). */
async function waitForAgent(
  agent: GuestAgent,
  qemu: LaunchedQemu,
  timeoutMs: number,
): Promise<'up' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (qemu.exited()) return 'exited';
    if (await agent.ping(3000)) return 'up';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return 'timeout';
}
