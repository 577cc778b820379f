import { describe, expect, it } from 'vitest';
import { planTenantApiNames, readKubeadmConfig } from './plan-tenant-api-names';

const kubeadmConfig = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration:
  ignorePreflightErrors: [NumCPU, Mem]
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: kube-api.kubelabs-t-a.svc.cluster.local:6443
apiServer:
  certSANs: [kube-api, kube-api.kubelabs-t-a, kube-api.kubelabs-t-a.svc, kube-api.kubelabs-t-a.svc.cluster.local, 203.0.113.9]
networking:
  podSubnet: 10.243.0.0/16
  serviceSubnet: 10.95.0.0/16
  dnsDomain: lab.local
`;

describe('planTenantApiNames', () => {
  it('names what kubeadm would put on the API server certificate', () => {
    const names = planTenantApiNames(kubeadmConfig, { hostname: 't-a-cp', advertiseAddress: '10.130.1.2' });
    expect(names.dns).toEqual([
      't-a-cp',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.lab.local',
      'kube-api.kubelabs-t-a.svc.cluster.local',
      'kube-api',
      'kube-api.kubelabs-t-a',
      'kube-api.kubelabs-t-a.svc',
    ]);
    expect(names.ips).toEqual(['10.95.0.1', '10.130.1.2', '203.0.113.9']);
  });

  it('finds the kubeadm configuration in cloud-init user data', () => {
    const userData = `#cloud-config\nwrite_files:\n  - path: /etc/kubelabs/kubeadm.yaml\n    content: |\n      kind: ClusterConfiguration\n`;
    expect(readKubeadmConfig(userData)).toBe('kind: ClusterConfiguration\n');
    expect(readKubeadmConfig('#cloud-config\nwrite_files: []\n')).toBeUndefined();
  });
});
