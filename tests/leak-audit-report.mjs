// After the whole end-to-end suite (`make test-js`): reads the leak audit's reports
// (test-results/leak-audit/, one per browser closed; see tests/support/leak-audit.mjs) and fails
// unless every e2e file that launches a browser was audited and no audit found anything. Prints
// what was searched: secrets, pages, storage keys, log lines, profile files and bytes.
// Run: node tests/leak-audit-report.mjs

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_DIR } from './support/leak-audit.mjs';

const testsDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(testsDir);

const reports = existsSync(REPORT_DIR)
  ? readdirSync(REPORT_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(path.join(REPORT_DIR, name), 'utf8')))
  : [];

// Every e2e file that launches a browser must have been audited at least once.
const e2eDir = path.join(testsDir, 'e2e');
const launching = readdirSync(e2eDir)
  .filter((name) => name.endsWith('.test.mjs'))
  .filter((name) => readFileSync(path.join(e2eDir, name), 'utf8').includes('launchExtension('))
  .map((name) => path.relative(repoRoot, path.join(e2eDir, name)));

const problems = [];
const rows = [];
const total = { browsers: 0, secrets: 0, pages: 0, storageKeys: 0, logLines: 0, files: 0, bytes: 0, ms: 0 };
for (const suite of launching) {
  const mine = reports.filter((report) => report.suite === suite);
  if (mine.length === 0) {
    problems.push(`${suite}: launches a browser but no leak audit report was written (was it closed?)`);
    continue;
  }
  const sum = (field) => mine.reduce((n, report) => n + report[field], 0);
  const row = {
    suite,
    browsers: mine.length,
    secrets: Math.max(...mine.map((report) => report.secrets)),
    pages: sum('pages'),
    storageKeys: sum('storageKeys'),
    logLines: sum('logLines'),
    files: sum('files'),
    bytes: sum('bytes'),
    ms: sum('ms'),
  };
  rows.push(row);
  for (const field of Object.keys(total)) {
    total[field] += row[field];
  }
  for (const report of mine) {
    for (const hit of report.hits) {
      problems.push(`${suite}: ${hit}`);
    }
  }
}

console.log('leak audit after the end-to-end suite (secrets: most searched at one close; ms: the audits\' own time)');
console.table([...rows, { suite: 'total', ...total }]);
if (problems.length > 0) {
  console.error(`\nleak audit: FAILED\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`leak audit: nothing found (${total.browsers} browsers, ${(total.bytes / 1e6).toFixed(1)} MB of profile files searched)`);
