// Grades an active claim: runs its lab's solution checks against the claim's tenant and publishes claim.checked.
// Grading runs here, in the claim API, rather than as a request to the provisioner: the caller waits for the answer
// anyway, the claim API already reads tenant Secrets from the host cluster (the kubeconfig it serves) and is a platform
// pod the tenants' network policy admits, and the check code is the same library the provisioner's readiness uses.
// Bounded: one run at a time per claim (a hold on the claim document, so across replicas too; it lapses by itself
// after a crash) and a deadline on the whole run. Read-only: nothing here changes the tenant.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { runChecks } from '@kubelabs/checks';
import { claimCheckedFact } from '@kubelabs/contracts';
import { DomainError, kubeconfigSecretKey, platformSshUser, tenantSecretNames } from '@kubelabs/domain';
import { tenantClusterConfig } from '@kubelabs/kube';
import { ClaimStore, labFromDocument, Persistence, type ClaimDocument } from '@kubelabs/persistence';
import { EventBus } from '../../event-bus';
import { HostCluster } from '../../host-cluster';
import { ClaimApiSettings } from '../claim-api-settings';
import { toClaimChecksView, type ClaimChecksView } from './claim-checks-view';
import { readCheckAccess, type CheckAccess } from './read-check-access';

/** How long past the run's deadline the hold is kept, for the evaluation and the event after it. */
const holdMarginMs = 5_000;

@Injectable()
export class RunClaimChecks {
  private readonly store: ClaimStore;

  constructor(
    private readonly db: Persistence,
    private readonly host: HostCluster,
    private readonly events: EventBus,
    private readonly settings: ClaimApiSettings,
  ) {
    this.store = new ClaimStore(db);
  }

  async execute(claim: ClaimDocument, now = new Date()): Promise<ClaimChecksView> {
    if (claim.state !== 'active' || !claim.tenantId)
      throw new DomainError('claim.not_active', `claim '${claim._id}' is ${claim.state}: there is no tenant to check`);
    const labDoc = await this.db.labs.findById(claim.labId).lean().exec();
    if (!labDoc) throw new DomainError('lab.not_found', `lab '${claim.labId}' is no longer in the catalog`);
    const lab = labFromDocument(labDoc);
    const checks = lab.checks?.solution ?? [];
    if (checks.length === 0)
      throw new DomainError('lab.no_checks', `lab '${lab.id}' declares no solution checks: there is nothing to grade`);
    const tenant = await this.db.tenants.findById(claim.tenantId, { namespace: 1 }).lean().exec();
    if (!tenant) throw new DomainError('tenant.not_found', `tenant '${claim.tenantId}' is gone`);

    const until = new Date(now.getTime() + this.settings.checkRunTimeoutMs + holdMarginMs);
    if (!(await this.store.beginCheckRun(claim._id, now, until))) {
      const current = await this.db.claims.findById(claim._id, { state: 1, checksRunUntil: 1 }).lean().exec();
      if (current?.state !== 'active')
        throw new DomainError('claim.not_active', `claim '${claim._id}' is ${current?.state ?? 'gone'}`);
      const waitSeconds = Math.max(
        1,
        Math.ceil(((current.checksRunUntil?.getTime() ?? now.getTime()) - now.getTime()) / 1000),
      );
      throw new DomainError(
        'claim.checks_running',
        `the checks of claim '${claim._id}' are already running; retry when they end`,
        {
          retryAfterSeconds: Math.min(waitSeconds, 5),
        },
      );
    }
    try {
      const credentials = await this.credentialsOf(tenant.namespace, claim.tenantId);
      const sshAddress = this.settings.tenantSshAddressTemplate.replaceAll('{namespace}', tenant.namespace);
      const at = sshAddress.lastIndexOf(':');
      const results = await runChecks(
        checks,
        {
          api: tenantClusterConfig({
            server: this.settings.tenantApiUrlTemplate.replaceAll('{namespace}', tenant.namespace),
            caCertificatePem: credentials.caCertificatePem,
            adminCertificatePem: credentials.adminCertificatePem,
            adminKeyPem: credentials.adminKeyPem,
          }),
          ...(credentials.platformSshKeyPem
            ? {
                ssh: {
                  host: sshAddress.slice(0, at),
                  port: Number(sshAddress.slice(at + 1)),
                  username: platformSshUser,
                  privateKey: credentials.platformSshKeyPem,
                  ...(credentials.sshHostPublicKey ? { hostPublicKey: credentials.sshHostPublicKey } : {}),
                },
              }
            : {}),
          workerCount: lab.topology.workers.count,
          requestTimeoutMs: Math.min(5_000, this.settings.checkRunTimeoutMs),
        },
        { deadlineMs: this.settings.checkRunTimeoutMs },
      );
      const view = toClaimChecksView({ claimId: claim._id, runId: randomUUID(), checkedAt: new Date(), results });
      await this.events.publish(
        claimCheckedFact({
          claimId: claim._id,
          tenantId: claim.tenantId,
          labId: lab.id,
          userId: claim.userId,
          runId: view.runId,
          checkedAt: new Date(view.checkedAt),
          solved: view.solved,
          passed: view.passed,
          total: view.total,
          results: view.results,
        }),
      );
      return view;
    } finally {
      await this.store.endCheckRun(claim._id, until);
    }
  }

  /**
   * The platform's access to the tenant, read on request and kept nowhere: the admin identity from the stored
   * kubeconfig, the SSH keys from tenant-checks. Never tenant-pki (the tenant CA's private key stays out of reach).
   */
  private async credentialsOf(namespace: string, tenantId: string): Promise<CheckAccess> {
    const [kubeconfig, checks] = await Promise.all([
      this.host.readSecretKey(namespace, tenantSecretNames.kubeconfig, kubeconfigSecretKey),
      this.host.readSecretData(namespace, tenantSecretNames.checks),
    ]);
    if (!kubeconfig)
      throw new DomainError('tenant.not_found', `the credentials of tenant '${tenantId}' are not available`);
    return readCheckAccess(kubeconfig, checks);
  }
}
