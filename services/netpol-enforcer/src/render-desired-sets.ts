// Pure: the objects each set should hold for a tenant, from the pure renderers and the validated settings. The
// exposure set is rendered only for a claimed tenant; the quota only when the lab (its topology and its quota
// overrides) is known.
import type { KubeObject } from '@kubelabs/kube';
import { exposureSettingsFrom, isolationSettingsFrom, quotaSettingsFrom, type NetpolEnforcerConfig } from './config';
import type { IsolationSnapshot } from './observe-tenant-isolation';
import type { DesiredSets } from './plan-tenant-isolation';
import { applyLabQuotaOverrides, planTenantQuota, renderBaselinePolicies, renderExposure } from './render';

export function renderDesiredSets(snapshot: IsolationSnapshot, config: NetpolEnforcerConfig): DesiredSets {
  const tenant = { id: snapshot.tenant._id, namespace: snapshot.tenant.namespace };
  const asObjects = (objects: object[]) => objects as KubeObject[];
  const quota = snapshot.lab
    ? planTenantQuota(
        tenant,
        snapshot.lab.topology,
        applyLabQuotaOverrides(quotaSettingsFrom(config), snapshot.lab.quota),
      )
    : null;
  const exposure = snapshot.tenant.state === 'claimed' ? renderExposure(tenant, exposureSettingsFrom(config)) : null;
  return {
    baseline: asObjects(renderBaselinePolicies(tenant, isolationSettingsFrom(config))),
    quota: quota ? asObjects([quota.resourceQuota, quota.limitRange]) : [],
    exposure: exposure ? asObjects([...exposure.policies, ...exposure.services]) : [],
  };
}
