// The VM lane's own runner (`npm run test:vm`): tenants booted as qemu VMs, minutes each, one file at a time. Kept out
// of `npm test` (vitest.config.mts excludes test/vm/) until CI can afford it.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.mts';

export default mergeConfig(
  { ...base, test: { ...base.test, include: [], exclude: [], globalSetup: [] } },
  defineConfig({
    test: {
      include: ['test/vm/**/*.vm.spec.ts', 'test/support/vm-lane/**/*.spec.ts'],
      globalSetup: [],
      testTimeout: 3600_000,
      hookTimeout: 4 * 3600_000,
      fileParallelism: false,
      maxWorkers: 1,
    },
  }),
);
