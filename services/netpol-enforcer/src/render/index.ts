// The enforcer's pure core: what it applies to a tenant namespace (isolation, exposure, fair share), and how each set
// of objects is labelled so that it can be applied and pruned on its own.
export {
  enforcerComponent,
  enforcerLabelKeys,
  objectSetLabels,
  objectSets,
  type EnforcerManifest,
  type LimitRange,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type ObjectSet,
  type ResourceQuota,
  type Service,
  type TenantRef,
} from './enforcer-objects';
export type {
  ExposureServiceType,
  ExposureSettings,
  HostRanges,
  IsolationSettings,
  MatchLabels,
  QuotaSettings,
  VmOverheadSettings,
} from './enforcer-settings';
export {
  baselinePolicyNames,
  controlPlaneLabels,
  exposurePolicyName,
  syncedExposurePolicyName,
  exposureServiceName,
  kubeApiPort,
  linkLocalCidrs,
  renderBaselinePolicies,
  renderExposure,
  sshPort,
  tenantVmLabels,
} from './render-tenant-policies';
export {
  applyLabQuotaOverrides,
  cpuQuantity,
  limitRangeName,
  memoryQuantity,
  planTenantQuota,
  resourceQuotaName,
} from './plan-tenant-quota';
export { contains, parseCanonicalCidr, parseCidr, strictlyContains, type Cidr } from './cidr';
