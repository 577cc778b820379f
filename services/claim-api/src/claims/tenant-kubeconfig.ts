// The student's admin kubeconfig, minted by the provisioner into a Secret of the tenant's namespace and read from the
// host cluster on request (never stored elsewhere). It is served pointing at the tenant API's public endpoint, once
// the network-policy enforcer has opened it for this claim; TLS still verifies: the certificate's names were fixed
// when the VMs were built, so the kubeconfig names one of them (`tls-server-name`) while dialing the public address.
import { Injectable } from '@nestjs/common';
import { parse, stringify } from 'yaml';
import { DomainError, kubeconfigSecretKey, renderAccess, tenantSecretNames } from '@kubelabs/domain';
import { Persistence, type ClaimDocument } from '@kubelabs/persistence';
import { HostCluster } from '../host-cluster';

interface KubeconfigDocument {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
}

/** The name on the tenant API's certificate that the kubeconfig asks TLS to verify (a SAN the provisioner renders). */
export function tenantApiServerName(namespace: string): string {
  return `kube-api.${namespace}.svc`;
}

/** Pure: the stored kubeconfig, pointed at `server` and verifying `tlsServerName`. */
export function pointKubeconfigAt(yaml: string, server: string, tlsServerName: string): string {
  const document = parse(yaml) as KubeconfigDocument;
  for (const entry of document.clusters ?? []) {
    entry.cluster.server = server;
    entry.cluster['tls-server-name'] = tlsServerName;
  }
  return stringify(document);
}

@Injectable()
export class TenantKubeconfig {
  constructor(
    private readonly db: Persistence,
    private readonly host: HostCluster,
  ) {}

  async forClaim(claim: ClaimDocument): Promise<string> {
    if (claim.state !== 'active' || !claim.tenantId) {
      throw new DomainError('claim.not_active', `claim '${claim._id}' is ${claim.state}: no kubeconfig`);
    }
    const tenant = await this.db.tenants.findById(claim.tenantId, { namespace: 1, exposure: 1 }).lean().exec();
    if (!tenant) throw new DomainError('tenant.not_found', `tenant '${claim.tenantId}' is gone`);
    const access = renderAccess(claim._id, tenant.exposure);
    if (access.state !== 'open')
      throw new DomainError(
        'claim.access_opening',
        `the tenant API of claim '${claim._id}' is being opened to the outside; retry in a moment`,
        { retryAfterSeconds: 1 },
      );
    const yaml = await this.host.readSecretKey(tenant.namespace, tenantSecretNames.kubeconfig, kubeconfigSecretKey);
    if (!yaml)
      throw new DomainError('tenant.not_found', `the kubeconfig of tenant '${claim.tenantId}' is not available`);
    return pointKubeconfigAt(yaml, access.api.server, tenantApiServerName(tenant.namespace));
  }
}
