// Public face of the provisioner's credentials: minting a tenant cluster's PKI and token, storing them in the
// tenant-pki Secret and reading them back, and the student's kubeconfig.
export {
  planTenantCredentials,
  planBootstrapToken,
  caCertHashOf,
  bootstrapTokenPattern,
  adminSubject,
  type TenantCredentials,
  type SshHostKey,
  type PlanTenantCredentialsInput,
} from './plan-tenant-credentials';
export { renderKubeconfig, type RenderKubeconfigOptions } from './render-kubeconfig';
export { tenantPkiSecretName, tenantPkiKeys, tenantPkiData, parseTenantPkiData } from './tenant-pki-data';
export { encodeOpenSshEcdsaPublicKey } from './encode-openssh-public-key';
