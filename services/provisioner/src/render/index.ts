// Public face of the provisioner's rendering: a tenant's host-cluster manifests (namespace, Secrets, KubeVirt VMs,
// Services) and the cloud-init that makes its VMs a kubeadm cluster. Pure functions only.
export { renderTenant, renderSshAuthorizedKeysSecret, nodeImageFor, type RenderTenantInput } from './render-tenant';
export { renderVirtualMachine, type RenderVirtualMachineInput } from './render-virtual-machine';
export {
  renderControlPlaneUserData,
  renderWorkerUserData,
  renderKubeadmConfig,
  kubeadmApiVersion,
  bootstrapMarkers,
  studentUser,
  type CloudInitInput,
} from './render-cloud-init';
export {
  resolveRenderOptions,
  defaultNodeImage,
  isNodeImageTemplate,
  nodeImagePattern,
  type RenderTenantOptions,
  type ResolvedRenderOptions,
  type PodSecurityLevel,
  type PodNetworkBinding,
} from './render-options';
export {
  labelKeys,
  managedByValue,
  ownershipLabels,
  type KubernetesObject,
  type ObjectMeta,
  type TenantRef,
} from './kubernetes-object';
export {
  boundedName,
  isDnsLabel,
  controlPlaneVmName,
  workerVmName,
  cloudInitSecretName,
  nodeHostname,
  kubeApiHost,
  kubeApiServiceNames,
  kubeApiServiceName,
  sshServiceName,
  sshAuthorizedKeysSecretName,
  sshAuthorizedKeysSecretKey,
  cloudInitSecretKey,
  kubeApiPort,
  sshPort,
  type NodeRole,
} from './tenant-names';
