// Vitest global set-up: brings the backing-service lanes up once for the whole test run and hands their URLs to the
// tests (inject('lanes')). Each test still owns its own stream, database and namespace names.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLanes, type LaneUrls } from './lanes/start-lanes';
import { repoRoot } from './lanes/lane-paths';

declare module 'vitest' {
  export interface ProvidedContext {
    lanes: LaneUrls;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logDir = join(repoRoot, '.lane', 'test-logs');
  mkdirSync(logDir, { recursive: true });
  const lanes = await startLanes({ logDir });
  project.provide('lanes', lanes.urls);
  return () => lanes.stop();
}
