// Prints the plain closing line CI reads ("N passed, N failed") from one or more Vitest JSON reports, summed (skips
// on the line before). Usage: node scripts/print-test-summary.mjs [report.json ...]   (default reports/vitest.json)
import { readFileSync } from 'node:fs';

const paths = process.argv.length > 2 ? process.argv.slice(2) : ['reports/vitest.json'];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const path of paths) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // A missing or unreadable report is a failure, never a silent zero.
    console.log(`could not read the test report ${path}: ${error.message}`);
    failed += 1;
    continue;
  }
  // A file that failed outside its tests (it did not load, or a beforeAll threw and its tests were skipped) counts as
  // one failure, so a broken file can never look green.
  const failedSuites = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + failedSuites;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (skipped > 0) console.log(`${skipped} skipped`);
// The closing line, exactly as CI reads it.
console.log(`${passed} passed, ${failed} failed`);
