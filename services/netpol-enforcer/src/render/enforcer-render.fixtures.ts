// Shared inputs for the enforcer's render specs: tenants, labs, and settings built the way the service builds them,
// from an environment through the validated config (so the specs exercise the real defaults).
import { loadConfig } from '@kubelabs/config';
import type { LabTopology } from '@kubelabs/domain';
import { exposureSettingsFrom, isolationSettingsFrom, NetpolEnforcerConfig, quotaSettingsFrom } from '../config';
import type { ExposureSettings, IsolationSettings, QuotaSettings, TenantRef } from './index';

export const tenantA: TenantRef = { id: 't-alpha-4k2m9', namespace: 'kubelabs-t-alpha-4k2m9' };
export const tenantB: TenantRef = { id: 't-bravo-8x1q3', namespace: 'kubelabs-t-bravo-8x1q3' };

const required = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs' };

/** Variables as in `process.env`; an undefined or empty one takes its default. */
export type Env = Record<string, string | undefined>;

export function makeConfig(env: Env = {}): NetpolEnforcerConfig {
  return loadConfig(NetpolEnforcerConfig, { ...required, PLATFORM_ID: 'spec', ...env });
}

export const isolationSettings = (env: Env = {}): IsolationSettings => isolationSettingsFrom(makeConfig(env));
export const exposureSettings = (env: Env = {}): ExposureSettings => exposureSettingsFrom(makeConfig(env));
export const quotaSettings = (env: Env = {}): QuotaSettings => quotaSettingsFrom(makeConfig(env));

export function makeTopology(workers: number, size = { cpu: 2, memoryMiB: 2048 }): LabTopology {
  return { controlPlane: { cpu: 2, memoryMiB: 2048 }, workers: { count: workers, ...size } };
}
