// Pure: every object a tenant should have in the host cluster right now: what renderTenant renders for the lab, the
// student's kubeconfig Secret, the tenant-checks Secret (the platform's SSH key for lab checks), each carrying the platform instance's label (VM templates included, so launcher pods
// are selectable by it). The Namespace comes first.
import {
  kubeconfigSecretKey,
  labelKeys,
  tenantChecksKeys,
  tenantSecretNames,
  type Lab,
  type TenantCredentials,
} from '@kubelabs/domain';
import { renderKubeconfig } from './credentials';
import { ownershipLabels, renderTenant, type KubernetesObject, type RenderTenantOptions } from './render';

export interface DesiredTenantInput {
  lab: Lab;
  tenant: { id: string; labId: string; kubernetesVersion: string; namespace: string };
  credentials: TenantCredentials;
  /** The student's public key while the tenant is claimed. */
  sshAuthorizedKeys: string[];
  platformId: string;
  /** The server URL written into the student's kubeconfig; `{namespace}` is replaced. */
  tenantApiPublicUrlTemplate: string;
  /** The platform's render settings from config (the VMs' default bandwidth). */
  renderOptions?: RenderTenantOptions;
}

export function renderDesiredObjects(input: DesiredTenantInput): KubernetesObject[] {
  const ref = { id: input.tenant.id, labId: input.tenant.labId, kubernetesVersion: input.tenant.kubernetesVersion };
  const objects = renderTenant(input.lab, ref, {
    credentials: input.credentials,
    sshAuthorizedKeys: input.sshAuthorizedKeys,
    options: input.renderOptions,
  });
  const kubeconfig = renderKubeconfig(
    input.credentials,
    input.tenantApiPublicUrlTemplate.replaceAll('{namespace}', input.tenant.namespace),
  );
  objects.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: tenantSecretNames.kubeconfig,
      namespace: input.tenant.namespace,
      labels: ownershipLabels(ref, input.lab),
    },
    type: 'Opaque',
    data: { [kubeconfigSecretKey]: Buffer.from(kubeconfig).toString('base64') },
  });
  const { platformSshKey, sshHostKey } = input.credentials;
  if (platformSshKey)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: tenantSecretNames.checks,
        namespace: input.tenant.namespace,
        labels: ownershipLabels(ref, input.lab),
      },
      type: 'Opaque',
      data: {
        [tenantChecksKeys.platformSshKey]: Buffer.from(platformSshKey.privateKeyPem).toString('base64'),
        ...(sshHostKey
          ? { [tenantChecksKeys.sshHostPublicKey]: Buffer.from(sshHostKey.publicKey).toString('base64') }
          : {}),
      },
    });
  return objects.map((object) => withPlatformLabel(object, input.platformId));
}

/** Every object (and each VM's instance template) carries the platform instance's label. */
function withPlatformLabel(object: KubernetesObject, platformId: string): KubernetesObject {
  const labelled: KubernetesObject = {
    ...object,
    metadata: { ...object.metadata, labels: { ...object.metadata.labels, [labelKeys.platform]: platformId } },
  };
  const spec = labelled.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  if (object.kind === 'VirtualMachine' && spec?.template) {
    labelled.spec = {
      ...spec,
      template: {
        ...spec.template,
        metadata: {
          ...spec.template.metadata,
          labels: { ...spec.template.metadata?.labels, [labelKeys.platform]: platformId },
        },
      },
    };
  }
  return labelled;
}
