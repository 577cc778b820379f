// kubeadm's waiting bounds in the rendered configuration: found by booting the rendered user data on real VMs (the VM
// lane), where kubeadm init gave up after its default minute while a small control plane's API server was starting.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { TenantCredentials } from '@kubelabs/domain';
import { kubeadmTimeouts, renderKubeadmConfig } from './render-cloud-init';
import { resolveRenderOptions } from './render-options';
import { makeLab, makeTenant } from './render-tenant.fixtures';

const credentials = { bootstrapToken: 'abcdef.0123456789abcdef' } as TenantCredentials;

function kubeadmDocuments(version: string): Record<string, unknown>[] {
  const lab = makeLab({ kubernetesVersions: ['1.30', '1.36'] });
  const text = renderKubeadmConfig({
    lab,
    tenant: makeTenant(lab, { kubernetesVersion: version }),
    credentials,
    options: resolveRenderOptions(),
    workerCount: 0,
  });
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

describe('renderKubeadmConfig waiting bounds', () => {
  it('gives kubeadm v1beta4 (Kubernetes 1.31+) minutes, not its one-minute default, to reach a starting API server', () => {
    const [init] = kubeadmDocuments('1.36');
    expect(init).toMatchObject({ kind: 'InitConfiguration', timeouts: { ...kubeadmTimeouts } });
    expect(kubeadmTimeouts.kubernetesAPICall).toBe('5m0s');
  });

  it('gives kubeadm v1beta3 (before 1.31), which has only the control-plane wait, the same ten minutes', () => {
    const [init, cluster] = kubeadmDocuments('1.30');
    expect(init).not.toHaveProperty('timeouts');
    expect(cluster).toMatchObject({ apiServer: { timeoutForControlPlane: '10m0s' } });
  });
});
