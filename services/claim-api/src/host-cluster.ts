// The claim API's narrow port to the host cluster: it only reads Secrets of tenant namespaces (the kubeconfig it serves,
// the tenant-pki credentials lab checks use).
export abstract class HostCluster {
  abstract readSecretKey(namespace: string, name: string, key: string): Promise<string | null>;
  /** A Secret's `data` (base64 values), or null when it does not exist. */
  abstract readSecretData(namespace: string, name: string): Promise<Record<string, string> | null>;
}
