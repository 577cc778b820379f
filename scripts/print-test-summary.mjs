// Prints the plain closing line CI reads ("N passed, N failed") from Vitest's JSON report (skips on the line before).
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log(`could not read the test report ${path}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(0);
}
// A file that failed outside its tests (it did not load, or a beforeAll threw and its tests were skipped) counts as
// one failure, so a broken file can never look green.
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} skipped`);
// The closing line, exactly as CI reads it.
console.log(`${passed} passed, ${failed} failed`);
