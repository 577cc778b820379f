// The claim API's narrow port to the host cluster: it only reads the tenant kubeconfig Secret.
export abstract class HostCluster {
  abstract readSecretKey(namespace: string, name: string, key: string): Promise<string | null>;
}
