// How the enforcer finds exactly its own objects in tenant namespaces (so pruning never touches anything else): the
// kinds it manages and label selectors built from the labels its renderers put on every object.
import { labelKeys, managedByValue } from '@kubelabs/domain';
import { enforcerComponent, enforcerLabelKeys } from './render';

export const enforcerKinds = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'v1', kind: 'LimitRange' },
] as const;

/** Every enforcer object of one platform instance (the drift watches). */
export function allEnforcerObjects(platformId: string): string {
  return `${labelKeys.managedBy}=${managedByValue},${labelKeys.platform}=${platformId},${enforcerLabelKeys.component}=${enforcerComponent}`;
}

/** Every enforcer object of one tenant (any set). */
export function enforcerSelector(platformId: string, tenantId: string): string {
  return `${allEnforcerObjects(platformId)},${labelKeys.tenant}=${tenantId}`;
}
