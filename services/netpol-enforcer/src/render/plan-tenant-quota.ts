// A tenant namespace's fair share of the host: a ResourceQuota sized from the lab's topology plus KubeVirt's per-VM
// overhead, and a LimitRange that makes every container count against it. Pure; the enforcer applies the result.
import { computeVmOverheadMiB, listTenantVms, type LabQuota, type LabTopology } from '@kubelabs/domain';
import { metadataFor, type LimitRange, type ResourceQuota, type TenantRef } from './enforcer-objects';
import type { QuotaSettings } from './enforcer-settings';

export const resourceQuotaName = 'tenant-quota';
export const limitRangeName = 'tenant-limits';

/** Ports of the exposure Service (SSH, tenant API); a NodePort or LoadBalancer Service uses a node port for each. */
const exposureServicePorts = 2;

/**
 * Quantities as the API server writes them back (`2048Mi` reads back as `2Gi`, `2000m` as `2`), so that comparing what
 * was applied with what is there never sees a change that is not one.
 */
export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function memoryQuantity(mebibytes: number): string {
  if (mebibytes % (1024 * 1024) === 0) return `${mebibytes / (1024 * 1024)}Ti`;
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** The platform's quota settings with a lab's overrides (the catalog's `quota` block) laid over them. */
export function applyLabQuotaOverrides(settings: QuotaSettings, overrides: LabQuota | undefined): QuotaSettings {
  if (!overrides) return settings;
  return {
    ...settings,
    headroomPercent: overrides.headroomPercent ?? settings.headroomPercent,
    extraPods: overrides.extraPods ?? settings.extraPods,
    defaultContainerRequest: {
      cpuMillis: overrides.defaultContainerRequest?.cpuMillis ?? settings.defaultContainerRequest.cpuMillis,
      memoryMiB: overrides.defaultContainerRequest?.memoryMiB ?? settings.defaultContainerRequest.memoryMiB,
    },
  };
}

/**
 * The namespace's quota and limit range.
 *
 * The quota bounds requests only, never limits: a quota on `limits.*` makes the API server refuse any pod whose every
 * container does not state limits, and where KubeVirt's AutoResourceLimits is on it then sets the launcher's memory limit
 * to twice its request, which this quota would have to double. For the same reason the LimitRange sets no `max` or
 * `default`: the API server turns a `max` into a default limit, which would land on the launcher's compute container
 * and cap a VM's memory at an estimate (KubeVirt wants limits at least 100 MiB above requests). Its default request
 * only makes a container that states none count against the quota.
 *
 * CPU is counted as the host pays for it (every vCPU in full plus the per-VM overhead), as the pool manager does;
 * KubeVirt requests only a tenth of each vCPU by default, so the quota never stops a VM that the pool planned.
 */
export function planTenantQuota(
  tenant: TenantRef,
  topology: LabTopology,
  settings: QuotaSettings,
): { resourceQuota: ResourceQuota; limitRange: LimitRange } {
  // The overhead formula is the pool manager's (libs/domain), with this service's configured figures.
  const vms = listTenantVms(topology);
  const memoryMiB = vms.reduce((sum, vm) => sum + vm.memoryMiB + computeVmOverheadMiB(vm, settings.vmOverhead), 0);
  const cpuMillis = vms.reduce((sum, vm) => sum + vm.cpu * 1000 + settings.vmOverhead.cpuMillisPerVm, 0);
  const withHeadroom = (amount: number) => Math.ceil((amount * (100 + settings.headroomPercent)) / 100);
  const loadBalancer = settings.exposureServiceType === 'LoadBalancer' ? 1 : 0;
  return {
    resourceQuota: {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadataFor(resourceQuotaName, settings.platformId, tenant, 'quota'),
      spec: {
        hard: {
          'requests.cpu': cpuQuantity(withHeadroom(cpuMillis)),
          'requests.memory': memoryQuantity(withHeadroom(memoryMiB)),
          pods: String(vms.length + settings.extraPods),
          // The quota counts a node port per port of a NodePort Service, and of a LoadBalancer Service unless it turns
          // node port allocation off; the exposure Service is one of either.
          'services.nodeports': String(exposureServicePorts + settings.syncedNodePorts),
          'services.loadbalancers': String(loadBalancer + settings.syncedLoadBalancers),
        },
      },
    },
    limitRange: {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadataFor(limitRangeName, settings.platformId, tenant, 'quota'),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: {
              cpu: cpuQuantity(settings.defaultContainerRequest.cpuMillis),
              memory: memoryQuantity(settings.defaultContainerRequest.memoryMiB),
            },
          },
        ],
      },
    },
  };
}
