// Every object the enforcer renders validates against the upstream Kubernetes schemas (kubernetes-models), across
// settings that change its shape: IPv6, LoadBalancer exposure, several source ranges, quota allowances.
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { LimitRange, ResourceQuota, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { planTenantQuota, renderBaselinePolicies, renderExposure, type EnforcerManifest } from './index';
import {
  exposureSettings,
  isolationSettings,
  makeTopology,
  quotaSettings,
  tenantA,
  type Env,
} from './enforcer-render.fixtures';

const models: Record<string, new (data: never) => { validate(): void }> = {
  NetworkPolicy,
  Service,
  ResourceQuota,
  LimitRange,
};

function renderAll(env: Env): EnforcerManifest[] {
  const exposure = renderExposure(tenantA, exposureSettings(env));
  const quota = planTenantQuota(tenantA, makeTopology(2), quotaSettings(env));
  return [
    ...renderBaselinePolicies(tenantA, isolationSettings(env)),
    ...exposure.policies,
    ...exposure.services,
    quota.resourceQuota,
    quota.limitRange,
  ];
}

describe('enforcer manifests against upstream schemas', () => {
  it.each([
    { name: 'the defaults', env: {} },
    {
      name: 'dual-stack host, IPv6 egress, LoadBalancer from several ranges',
      env: {
        HOST_POD_CIDRS: '10.244.0.0/16,fd00:10:244::/56',
        HOST_SERVICE_CIDRS: '10.96.0.0/12,fd00:10:96::/112',
        HOST_NODE_CIDRS: '198.51.100.0/24',
        EGRESS_IPV6: 'true',
        EXPOSURE_SERVICE_TYPE: 'LoadBalancer',
        EXPOSURE_SOURCE_CIDRS: '0.0.0.0/0,::/0,192.0.2.0/24',
        QUOTA_SYNCED_NODEPORTS: '4',
        QUOTA_SYNCED_LOADBALANCERS: '1',
      },
    },
  ])('renders objects the schemas accept with $name', ({ env }) => {
    const objects = renderAll(env);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set(['NetworkPolicy', 'Service', 'ResourceQuota', 'LimitRange']),
    );
    for (const object of objects) {
      const Model = models[object.kind]!;
      expect(() => new Model(object as never).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it('rejects what the API server would reject, so the check has teeth', () => {
    const [, tenantVms] = renderBaselinePolicies(tenantA, isolationSettings());
    const noCidr = structuredClone(tenantVms!) as unknown as { spec: { ingress: { from: unknown[] }[] } };
    noCidr.spec.ingress[0]!.from = [{ ipBlock: { except: ['10.0.0.0/8'] } }];
    expect(() => new NetworkPolicy(noCidr as never).validate()).toThrow(/cidr/);
    const { resourceQuota } = planTenantQuota(tenantA, makeTopology(0), quotaSettings());
    const badQuantity = structuredClone(resourceQuota);
    badQuantity.spec.hard['requests.memory'] = 'two gigabytes';
    expect(() => new ResourceQuota(badQuantity as never).validate()).toThrow();
  });
});
