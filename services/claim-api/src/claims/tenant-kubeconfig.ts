// The student's admin kubeconfig, minted by the provisioner into a Secret of the tenant's namespace. It is read from
// the host cluster on request and never stored elsewhere.
import { Injectable } from '@nestjs/common';
import { DomainError, kubeconfigSecretKey, tenantSecretNames } from '@kubelabs/domain';
import { Persistence, type ClaimDocument } from '@kubelabs/persistence';
import { HostCluster } from '../host-cluster';

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
    const tenant = await this.db.tenants.findById(claim.tenantId, { namespace: 1 }).lean().exec();
    if (!tenant) throw new DomainError('tenant.not_found', `tenant '${claim.tenantId}' is gone`);
    const yaml = await this.host.readSecretKey(tenant.namespace, tenantSecretNames.kubeconfig, kubeconfigSecretKey);
    if (!yaml)
      throw new DomainError('tenant.not_found', `the kubeconfig of tenant '${claim.tenantId}' is not available`);
    return yaml;
  }
}
