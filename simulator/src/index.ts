// [simulator] What tests and the dev platform may use from the simulator. Product code must never import it.
export { KubeVirtSimulator, type KubeVirtSimulatorOptions } from './kubevirt-simulator';
export { planVmStatus, bootDelayMs, failsToBoot, runsGuest, type BootOptions } from './plan-vm-status';
export { parseSimulatorEnv, SimulatorEnvError, type SimulatorEnv } from './parse-simulator-env';
export type { VirtualMachine, VmStatus, VmCondition } from './virtual-machine';
export { registerHostNodes, type HostNodeOptions } from './register-host-nodes';
export {
  RealTenantClusters,
  tenantApiServerNameTemplate,
  type RealTenantClustersOptions,
} from './tenant-clusters/tenant-clusters';
export type { RealTenantApiServer } from './tenant-clusters/start-tenant-api-server';
