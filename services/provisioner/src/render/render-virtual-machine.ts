// One tenant node as a KubeVirt VirtualMachine. It references Secrets only (cloud-init user data, SSH keys); no key
// or token is ever inlined, so the VM spec can be logged, diffed and shown to operators.
import type { NodeSize } from '@kubelabs/domain';
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
  options: ResolvedRenderOptions;
}

export function renderVirtualMachine(input: RenderVirtualMachineInput): KubernetesObject {
  const labels = { ...input.labels, [labelKeys.nodeRole]: input.role };
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...labels } },
    spec: {
      runStrategy: 'Always',
      template: {
        // Copied onto the virt-launcher pod: the kube-api and ssh Services and the NetworkPolicies select on these.
        metadata: { labels: { ...labels } },
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
