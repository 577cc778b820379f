// Shared inputs for the render specs: labs of several shapes and one tenant per lab.
import type { Lab } from '@kubelabs/domain';
import type { TenantRef } from './kubernetes-object';

export function makeLab(overrides: Partial<Lab> & { workers?: number } = {}): Lab {
  const { workers = 0, ...rest } = overrides;
  return {
    id: 'cka-basics',
    title: 'CKA basics',
    description: 'Fix a broken cluster.',
    level: 'beginner',
    hints: [],
    tags: ['cka'],
    kubernetesVersions: ['1.30', '1.35', '1.36'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: workers, cpu: 1, memoryMiB: 1024 } },
    image: 'registry.example/kubelabs/node:{version}',
    setup: {},
    session: { durationMinutes: 60, maxExtensionMinutes: 30 },
    pool: { minReady: 1, maxTotal: 4 },
    ...rest,
  };
}

export function makeTenant(lab: Lab, overrides: Partial<TenantRef> = {}): TenantRef {
  return { id: 't-cka-basics-7f3k2', labId: lab.id, kubernetesVersion: '1.36', ...overrides };
}

export const studentKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq6U4pJ0b3m3q0iQm8kQ3m2l0c0vH3W5cW4y2m6b7aV student@laptop';
