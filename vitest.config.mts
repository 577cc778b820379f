// One test runner for the whole monorepo. SWC compiles the TypeScript so that NestJS sees decorator metadata.
import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

const libs = [
  'catalog',
  'chat',
  'checks',
  'config',
  'contracts',
  'domain',
  'kube',
  'messaging',
  'persistence',
  'reconcile',
  'runtime',
  'testing',
];

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: Object.fromEntries(
      libs.map((lib) => [`@kubelabs/${lib}`, resolve(import.meta.dirname, `libs/${lib}/src/index.ts`)]),
    ),
  },
  test: {
    include: ['libs/**/*.spec.ts', 'services/**/*.spec.ts', 'simulator/**/*.spec.ts', 'test/**/*.spec.ts'],
    // The VM lane boots qemu VMs for minutes each: `npm run test:vm` (vitest.vm.config.mts) runs it on its own.
    exclude: [...configDefaults.exclude, 'test/vm/**'],
    globalSetup: ['libs/testing/src/global-setup.ts'],
    // A bound against hangs, not a speed goal (those are benchmarks): a platform test takes 15-40 s alone and up to a
    // minute beside another file on two loaded cores.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
