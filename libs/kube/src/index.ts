// Public face of @kubelabs/kube: the platform's thin client for Kubernetes APIs (host cluster and tenant clusters).
export {
  KubeClient,
  loadKubeConfig,
  type KubeClientOptions,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
} from './kube-client';
export { KubeApiError, toKubeApiError, type KubeErrorCause, type KubeErrorCode } from './kube-api-error';
export { tenantClusterClient, tenantClusterConfig, type TenantClusterAccess } from './tenant-cluster';
export { applySet, type ApplySetScope, type ApplySetResult } from './apply-set';
