// Public face of the provisioner's credentials: minting a tenant cluster's PKI and token, storing them in the
// tenant-pki Secret and reading them back, and the student's kubeconfig.
export {
  planTenantCredentials,
  planBootstrapToken,
  caCertHashOf,
  adminSubject,
  type PlanTenantCredentialsInput,
} from './plan-tenant-credentials';
export { renderKubeconfig, type RenderKubeconfigOptions } from './render-kubeconfig';
export { encodeOpenSshEcdsaPublicKey } from './encode-openssh-public-key';
