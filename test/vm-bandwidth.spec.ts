// Fair share end to end: the provisioner's bandwidth settings and a lab's catalog override reach the VirtualMachines
// on the lane's real kube-apiserver as template annotations (which KubeVirt copies to the launcher pod), through the
// catalog sync, MongoDB and the provisioner's config, and survive the VirtualMachine CRD's pruning.
import { describe, expect, inject, it } from 'vitest';
import { KubeClient, type KubeObject } from '@kubelabs/kube';
import { testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();

type VirtualMachine = KubeObject & {
  metadata: { annotations?: Record<string, string> };
  spec: { template: { metadata: { annotations?: Record<string, string> } } };
};

describe('per-lab bandwidth', () => {
  it(
    "annotates every VM template with the platform's default, a lab's override, or nothing when turned off",
    { timeout: 120_000 },
    async () => {
      const platform = await platforms.start({
        labs: [
          testLab('bw-default', { minReady: 1, maxTotal: 1, workers: 1 }),
          { ...testLab('bw-override', { minReady: 1, maxTotal: 1 }), network: { ingressBandwidth: '1G' } },
        ],
        simulator: { bootMs: 200 },
        serviceEnv: { provisioner: { TENANT_INGRESS_BANDWIDTH: '200M', TENANT_EGRESS_BANDWIDTH: 'none' } },
      });
      await waitForPoolsFull(platform);
      const kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'bw-test' });
      const annotationsOf = async (labId: string) => {
        const [tenant] = await platform.persistence.tenants.find({ labId, state: 'ready' }).lean();
        const vms = await kube.list<VirtualMachine>('kubevirt.io/v1', 'VirtualMachine', {
          namespace: tenant!.namespace,
        });
        for (const vm of vms) expect(vm.metadata.annotations?.['kubernetes.io/ingress-bandwidth']).toBeUndefined();
        return vms.map((vm) => vm.spec.template.metadata.annotations ?? {});
      };

      // The platform's ingress default on both nodes; egress turned off with `none`: no annotation at all.
      expect(await annotationsOf('bw-default')).toEqual([
        { 'kubernetes.io/ingress-bandwidth': '200M' },
        { 'kubernetes.io/ingress-bandwidth': '200M' },
      ]);
      // The lab's override wins over the default.
      expect(await annotationsOf('bw-override')).toEqual([{ 'kubernetes.io/ingress-bandwidth': '1G' }]);
    },
  );
});
