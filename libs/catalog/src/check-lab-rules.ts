// The rules a JSON Schema cannot express, checked on the raw data so they are reported alongside schema errors (each
// rule looks only at fields that have the right type; the schema reports the rest).
import { bandwidthPattern, checkBandwidth, parsePortRanges, tenantNodeNames } from '@kubelabs/domain';
import { pointer } from './catalog-error';
import type { FieldError } from './validate-lab-schema';

export function checkLabRules(data: unknown, fileId: string): FieldError[] {
  if (!isRecord(data)) return [];
  const errors: FieldError[] = [];

  if (typeof data.id === 'string' && data.id !== fileId) {
    errors.push({ path: '/id', message: `must equal the file name without .yaml ("${fileId}"), got "${data.id}"` });
  }

  const pool = isRecord(data.pool) ? data.pool : {};
  errors.push(...checkPoolSettings(pool, ['pool']));
  const offered = Array.isArray(data.kubernetesVersions)
    ? data.kubernetesVersions.filter((v) => typeof v === 'string')
    : undefined;
  if (isRecord(pool.perVersion)) {
    for (const [version, settings] of Object.entries(pool.perVersion)) {
      if (offered && !offered.includes(version)) {
        errors.push({
          path: pointer('pool', 'perVersion', version),
          message: `is not an offered version (kubernetesVersions: ${offered.join(', ') || 'none'})`,
        });
      }
      if (isRecord(settings)) errors.push(...checkPoolSettings(settings, ['pool', 'perVersion', version]));
    }
  }

  const workers = isRecord(data.topology) && isRecord(data.topology.workers) ? data.topology.workers : {};
  if (workers.count === 0 && isRecord(data.setup) && data.setup.workers !== undefined) {
    errors.push({
      path: '/setup/workers',
      message: 'is given but the lab has no workers (topology.workers.count is 0)',
    });
  }

  // The schema checks a bandwidth's form (and reports the others); its range, what the container runtime accepts, is
  // checked here.
  const network = isRecord(data.network) ? data.network : {};
  for (const field of ['ingressBandwidth', 'egressBandwidth'] as const) {
    const value = network[field];
    const problem = typeof value === 'string' && bandwidthPattern.test(value) ? checkBandwidth(value) : undefined;
    if (problem) errors.push({ path: pointer('network', field), message: `${problem}, got ${JSON.stringify(value)}` });
  }

  const checks = isRecord(data.checks) ? data.checks : {};
  const workerCount = typeof workers.count === 'number' ? workers.count : undefined;
  for (const list of ['readiness', 'solution'] as const) {
    const items = Array.isArray(checks[list]) ? (checks[list] as unknown[]) : [];
    items.forEach((check, index) => {
      if (isRecord(check)) errors.push(...checkCheck(check, workerCount, ['checks', list, String(index)]));
    });
  }
  // The schema checks the ports' form; that each range lies within 1-65535 and runs upwards is checked here.
  const exposure = isRecord(data.exposure) ? data.exposure : {};
  if (typeof exposure.ports === 'string' && parsePortRanges(exposure.ports) === undefined)
    errors.push({
      path: pointer('exposure', 'ports'),
      message: `each port must be from 1 to 65535 and each range run upwards (80,443,8000-8999), got ${JSON.stringify(exposure.ports)}`,
    });
  return errors;
}

/** A check the platform could never evaluate on this lab's tenants: a node it does not have, a malformed selector. */
function checkCheck(check: Record<string, unknown>, workerCount: number | undefined, at: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (workerCount !== undefined) {
    const names = tenantNodeNames(workerCount);
    const known = [names.controlPlane, ...names.workers];
    if (typeof check.node === 'string' && !known.includes(check.node))
      errors.push({
        path: pointer(...at, 'node'),
        message: `names a node the lab's tenants do not have (they have ${known.join(', ')})`,
      });
    if (check.role === 'worker' && workerCount === 0)
      errors.push({
        path: pointer(...at, 'role'),
        message: 'selects the workers but the lab has none (topology.workers.count is 0)',
      });
  }
  if (check.node !== undefined && check.role !== undefined)
    errors.push({ path: pointer(...at, 'role'), message: 'cannot be given with node: select one node or a role' });
  if (check.kind === 'pod-logs' && typeof check.selector === 'string' && !isLabelSelector(check.selector))
    errors.push({
      path: pointer(...at, 'selector'),
      message: `must be a label selector such as app=frontend or app=web,tier!=cache, got ${JSON.stringify(check.selector)}`,
    });
  return errors;
}

/** Equality-based label selectors (`k=v`, `k==v`, `k!=v`, `k`, `!k`), comma separated: what a check may use. */
const selectorTerm =
  /^(!?[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)((==?|!=)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)?$/;

function isLabelSelector(selector: string): boolean {
  return selector.split(',').every((term) => selectorTerm.test(term.trim()) && !/^!.*=/.test(term.trim()));
}

function checkPoolSettings(settings: Record<string, unknown>, at: string[]): FieldError[] {
  const { minReady, maxTotal } = settings;
  if (Number.isInteger(minReady) && Number.isInteger(maxTotal) && (maxTotal as number) < (minReady as number)) {
    return [{ path: pointer(...at, 'maxTotal'), message: `must be >= ${String(minReady)} (minReady)` }];
  }
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
