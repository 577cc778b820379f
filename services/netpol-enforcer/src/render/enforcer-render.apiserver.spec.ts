// The rendered objects against the lane's real kube-apiserver: server-side apply accepts every one (its own semantic
// rules: excepts strictly inside their cidr, unknown fields refused), reads each back with every field as rendered (so
// the enforcer's drift check does not see changes that are not there), and the quota admits the exposure Service and
// refuses one node port more.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError, KubeClient, type KubeObject } from '@kubelabs/kube';
import { waitFor } from '@kubelabs/testing';
import {
  planTenantQuota,
  renderBaselinePolicies,
  renderExposure,
  type EnforcerManifest,
  type TenantRef,
} from './index';
import { exposureSettings, isolationSettings, makeTopology, quotaSettings } from './enforcer-render.fixtures';

/**
 * The object under its wire names: KubeClient returns `@kubernetes/client-node`'s typed view of built-in kinds, which
 * renames the fields that are reserved words in its generator (`from` is `_from`, a LimitRange's `default` `_default`).
 */
function wire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wire);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replace(/^_(?=[a-z])/, ''), wire(item)]));
}

/** Every field `desired` sets is in `actual` with the same value (the server adds defaults and status around them). */
function holds(actual: unknown, desired: unknown): boolean {
  if (Array.isArray(desired))
    return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => holds(actual[i], d));
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    return Object.entries(desired).every(([key, value]) => holds((actual as Record<string, unknown>)[key], value));
  }
  return actual === desired;
}

const dualStack = {
  HOST_POD_CIDRS: '10.244.0.0/16,fd00:10:244::/56',
  HOST_SERVICE_CIDRS: '10.96.0.0/12,fd00:10:96::/112',
  HOST_NODE_CIDRS: '198.51.100.0/24,2001:db8:1::/64',
  EGRESS_IPV6: 'true',
  EXPOSURE_SOURCE_CIDRS: '0.0.0.0/0,::/0',
};

describe.each([
  // No room for synced node ports here, so the exposure Service alone fills the quota.
  { type: 'NodePort', env: { QUOTA_SYNCED_NODEPORTS: '0' } },
  {
    type: 'LoadBalancer',
    env: { ...dualStack, EXPOSURE_SERVICE_TYPE: 'LoadBalancer', QUOTA_SYNCED_NODEPORTS: '0' },
  },
])('enforcer objects on the lane API server ($type exposure)', ({ env }) => {
  let kube: KubeClient;
  const id = `np-${randomBytes(4).toString('hex')}`;
  const tenant: TenantRef = { id, namespace: `kubelabs-${id}` };

  beforeAll(async () => {
    kube = KubeClient.create({ kubeconfigPath: inject('lanes').kubeconfigPath, fieldManager: 'kubelabs-test' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: tenant.namespace } });
  });
  afterAll(async () => {
    await kube?.delete({ apiVersion: 'v1', kind: 'Namespace', name: tenant.namespace });
  });

  const apply = async (objects: EnforcerManifest[]) => {
    for (const object of objects) {
      const applied = await kube.apply(object as unknown as KubeObject);
      expect(holds(wire(applied), object), `${object.kind}/${object.metadata.name} reads back as rendered`).toBe(true);
    }
  };

  it('accepts the baseline and the quota, and reads them back as rendered', async () => {
    await apply(renderBaselinePolicies(tenant, isolationSettings(env)));
    const { resourceQuota, limitRange } = planTenantQuota(tenant, makeTopology(2), quotaSettings(env));
    await apply([resourceQuota, limitRange]);
  });

  it('refuses an except that is not strictly inside its cidr, so acceptance above means something', async () => {
    const internet = renderBaselinePolicies(tenant, isolationSettings(env)).find(
      (p) => p.metadata.name === 'baseline-internet',
    )!;
    const broken = structuredClone(internet);
    broken.metadata.name = 'broken-except';
    broken.spec.egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }];
    await expect(kube.apply(broken as unknown as KubeObject)).rejects.toThrow(/strict subset/);
  });

  it('admits the exposure within the quota and refuses a node port beyond it', async () => {
    // Quota admission refuses Services until the quota controller has written the quota's status.
    await waitFor('the quota status', async () => {
      const quota = await kube.get<KubeObject & { status?: { hard?: Record<string, string> } }>({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        namespace: tenant.namespace,
        name: 'tenant-quota',
      });
      return !!quota?.status?.hard?.['services.nodeports'];
    });
    const { policies, services } = renderExposure(tenant, exposureSettings(env));
    await apply([...policies, ...services]);
    const extra = structuredClone(services[0]!);
    extra.metadata.name = 'one-too-many';
    extra.spec.ports = [extra.spec.ports[0]!];
    const refusal = await kube.apply(extra as unknown as KubeObject).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(KubeApiError);
    expect((refusal as KubeApiError).message).toMatch(/exceeded quota.*services\.nodeports/);
  });
});
