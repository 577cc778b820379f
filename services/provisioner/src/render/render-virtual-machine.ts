// One tenant node as a KubeVirt VirtualMachine. It references Secrets only (cloud-init user data, SSH keys); no key
// or token is ever inlined, so the VM spec can be logged, diffed and shown to operators.
import { checkBandwidth, DomainError, type LabNetwork, type NodeSize } from '@kubelabs/domain';
import { type KubernetesObject, labelKeys } from './kubernetes-object';
import type { ResolvedRenderOptions } from './render-options';
import { studentUser } from './render-cloud-init';
import { sshAuthorizedKeysSecretName, type NodeRole } from './tenant-names';

export interface RenderVirtualMachineInput {
  name: string;
  namespace: string;
  role: NodeRole;
  hostname: string;
  size: NodeSize;
  image: string;
  userDataSecretName: string;
  labels: Record<string, string>;
  /** The lab's bandwidth overrides; each direction it leaves out takes `options.vmBandwidth`. */
  network?: LabNetwork;
  options: ResolvedRenderOptions;
}

export const bandwidthAnnotations = {
  ingress: 'kubernetes.io/ingress-bandwidth',
  egress: 'kubernetes.io/egress-bandwidth',
} as const;

/**
 * The bandwidth annotations of a VM's template: the lab's override, else the platform's default, per direction; none
 * for a direction without either. KubeVirt copies template annotations onto the virt-launcher pod, whose network the
 * VM's traffic crosses, and the CNI's bandwidth support (the chained `bandwidth` plugin, Cilium's Bandwidth Manager)
 * shapes that pod's interface. A rate the container runtime would refuse is a bad lab, not a pod stuck in creation.
 */
export function renderBandwidthAnnotations(
  network: LabNetwork | undefined,
  defaults: ResolvedRenderOptions['vmBandwidth'],
): Record<string, string> {
  const annotations: Record<string, string> = {};
  const rates = {
    ingress: network?.ingressBandwidth ?? defaults.ingress,
    egress: network?.egressBandwidth ?? defaults.egress,
  };
  for (const direction of ['ingress', 'egress'] as const) {
    const rate = rates[direction];
    if (rate === undefined) continue;
    const problem = checkBandwidth(rate);
    if (problem) throw new DomainError('lab.invalid', `the ${direction} bandwidth ${problem}`, { [direction]: rate });
    annotations[bandwidthAnnotations[direction]] = rate;
  }
  return annotations;
}

export function renderVirtualMachine(input: RenderVirtualMachineInput): KubernetesObject {
  const labels = { ...input.labels, [labelKeys.nodeRole]: input.role };
  const annotations = renderBandwidthAnnotations(input.network, input.options.vmBandwidth);
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...labels } },
    spec: {
      runStrategy: 'Always',
      template: {
        // Copied onto the virt-launcher pod: the kube-api and ssh Services and the NetworkPolicies select on the
        // labels, the CNI shapes the pod's bandwidth by the annotations.
        metadata: {
          labels: { ...labels },
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        },
        spec: {
          hostname: input.hostname,
          domain: {
            cpu: { cores: input.size.cpu },
            memory: { guest: `${input.size.memoryMiB}Mi` },
            devices: {
              // Students use SSH and the serial console; no VNC display saves ~16 MiB of overhead per VM.
              autoattachGraphicsDevice: false,
              // Entropy for sshd, kubeadm and TLS from the first second of boot.
              rng: {},
              disks: [
                { name: 'containerdisk', disk: { bus: 'virtio' } },
                { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              ],
              interfaces: [
                input.options.podNetworkBinding === 'bridge'
                  ? { name: 'default', bridge: {} }
                  : { name: 'default', masquerade: {} },
              ],
            },
          },
          networks: [{ name: 'default', pod: {} }],
          // Tenants are cattle on ephemeral containerDisks and cannot live-migrate on a bridged pod network: a drain
          // stops them (the pool builds more) instead of being blocked by an unmigratable VM.
          evictionStrategy: 'None',
          // Nothing in a tenant VM needs a clean shutdown; deleting a tenant frees its capacity at once.
          terminationGracePeriodSeconds: 0,
          // No readiness probe: a failing VMI probe removes the VM from every Service that selects it, so a scenario
          // that breaks the API server (or a student's mistake) would also cut SSH, the way in to fix it. The
          // provisioner judges readiness from the bootstrap marker instead.
          accessCredentials: [
            {
              sshPublicKey: {
                source: { secret: { secretName: sshAuthorizedKeysSecretName } },
                propagationMethod: { qemuGuestAgent: { users: [studentUser] } },
              },
            },
          ],
          volumes: [
            {
              name: 'containerdisk',
              containerDisk: { image: input.image, imagePullPolicy: input.options.imagePullPolicy },
            },
            { name: 'cloudinitdisk', cloudInitNoCloud: { secretRef: { name: input.userDataSecretName } } },
          ],
        },
      },
    },
  };
}
