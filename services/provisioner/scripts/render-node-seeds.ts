// The VM lane's way into the provisioner: mints a tenant's credentials and renders its objects exactly as the
// provisioner does (planTenantCredentials, renderDesiredObjects), then reads each node's cloud-init user data back out
// of the rendered Secret the VM references. What the lane boots is therefore the Secret content, byte for byte.
import {
  kubeconfigSecretKey,
  labelKeys,
  tenantNamespace,
  tenantSecretNames,
  type Lab,
  type TenantCredentials,
} from '@kubelabs/domain';
import { planTenantCredentials, renderKubeconfig } from '../src/credentials';
import { renderDesiredObjects } from '../src/render-desired';
import {
  bootstrapMarkers,
  cloudInitSecretKey,
  kubeApiHost,
  resolveRenderOptions,
  type KubernetesObject,
  type NodeRole,
  type RenderTenantOptions,
} from '../src/render';

export { bootstrapMarkers, type RenderTenantOptions };

export interface NodeSeed {
  /** The VirtualMachine's name. */
  name: string;
  role: NodeRole;
  /** The guest hostname KubeVirt gives the VM (spec.template.spec.hostname). */
  hostname: string;
  cpu: number;
  memoryMiB: number;
  /** The cloud-init user data, decoded from the Secret the VM's cloudInitNoCloud volume names. */
  userData: string;
}

export interface RenderedTenantSeeds {
  credentials: TenantCredentials;
  namespace: string;
  /** The tenant API's Service name, which workers join and the API certificate carries. */
  apiHost: string;
  nodes: NodeSeed[];
  /** The student's kubeconfig as the provisioner stores it (its server is the template's URL). */
  kubeconfig: string;
  /** The same kubeconfig dialing `serverUrl` and verifying `tlsServerName`, as the claim API serves it. */
  kubeconfigVia(serverUrl: string, tlsServerName: string): string;
}

export interface RenderNodeSeedsInput {
  lab: Lab;
  tenantId: string;
  kubernetesVersion: string;
  now?: Date;
  tenantApiPublicUrlTemplate?: string;
  renderOptions?: RenderTenantOptions;
}

export async function renderNodeSeeds(input: RenderNodeSeedsInput): Promise<RenderedTenantSeeds> {
  const credentials = await planTenantCredentials({ now: input.now ?? new Date() });
  const namespace = tenantNamespace(input.tenantId);
  const objects = renderDesiredObjects({
    lab: input.lab,
    tenant: { id: input.tenantId, labId: input.lab.id, kubernetesVersion: input.kubernetesVersion, namespace },
    credentials,
    sshAuthorizedKeys: [],
    platformId: 'vm-lane',
    tenantApiPublicUrlTemplate: input.tenantApiPublicUrlTemplate ?? 'https://kube-api.{namespace}.svc:6443',
    ...(input.renderOptions ? { renderOptions: input.renderOptions } : {}),
  });
  const secrets = new Map(
    objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o as KubernetesObject & SecretShape]),
  );
  const nodes = objects
    .filter((o) => o.kind === 'VirtualMachine')
    .map((vm) => {
      const spec = (vm as KubernetesObject & VirtualMachineShape).spec.template.spec;
      const secretName = spec.volumes.find((v) => v.cloudInitNoCloud)?.cloudInitNoCloud?.secretRef.name;
      const secret = secretName ? secrets.get(secretName) : undefined;
      const encoded = secret?.data[cloudInitSecretKey];
      if (!encoded) throw new Error(`VirtualMachine ${vm.metadata.name} names no cloud-init Secret with user data`);
      return {
        name: vm.metadata.name,
        role: vm.metadata.labels[labelKeys.nodeRole] === 'worker' ? ('worker' as const) : ('control-plane' as const),
        hostname: spec.hostname,
        cpu: spec.domain.cpu.cores,
        memoryMiB: Number.parseInt(spec.domain.memory.guest, 10),
        userData: Buffer.from(encoded, 'base64').toString('utf8'),
      };
    });
  const kubeconfigData = secrets.get(tenantSecretNames.kubeconfig)?.data[kubeconfigSecretKey];
  if (!kubeconfigData) throw new Error('no kubeconfig Secret was rendered');
  const apiHost = kubeApiHost(input.tenantId, resolveRenderOptions(input.renderOptions).hostClusterDomain);
  return {
    credentials,
    namespace,
    apiHost,
    nodes,
    kubeconfig: Buffer.from(kubeconfigData, 'base64').toString('utf8'),
    kubeconfigVia: (serverUrl, tlsServerName) => renderKubeconfig(credentials, serverUrl, { tlsServerName }),
  };
}

interface SecretShape {
  data: Record<string, string>;
}

interface VirtualMachineShape {
  spec: {
    template: {
      spec: {
        hostname: string;
        domain: { cpu: { cores: number }; memory: { guest: string } };
        volumes: { cloudInitNoCloud?: { secretRef: { name: string } } }[];
      };
    };
  };
}
