// A/B two builds of the core in one headless Chromium page, alternating round by round: the way
// to decide whether a build flag or a code change wins on this noisy machine.
//
//   node bench/compare.mjs DIR_A DIR_B [sign|unlock|list|seal] [rounds]
//
// DIR_A/DIR_B hold wasm-bindgen `--target web` output (keysmith_core.js, keysmith_core_bg.wasm),
// e.g. a copy of build/pkg before and after a change. Prints each median and the per-round
// ratio B/A (median, min–max): below 1 means B is faster.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [dirA, dirB, what = 'sign', roundsArg] = process.argv.slice(2);
const WORK = { sign: { calls: 200, rounds: 30 }, unlock: { calls: 1, rounds: 12 }, list: { calls: 2, rounds: 30 }, seal: { calls: 50, rounds: 30 } };
if (!dirA || !dirB || !WORK[what]) {
  console.error('usage: node bench/compare.mjs DIR_A DIR_B [sign|unlock|list|seal] [rounds]');
  process.exit(2);
}
const plan = { ...WORK[what], what, rounds: Number(roundsArg) || WORK[what].rounds };

const PAGE = `
import initA, * as a from '/a/keysmith_core.js';
import initB, * as b from '/b/keysmith_core.js';
globalThis.cores = [a, b];
globalThis.ready = Promise.all([initA({ module_or_path: '/a/keysmith_core_bg.wasm' }),
                                initB({ module_or_path: '/b/keysmith_core_bg.wasm' })]);
`;

/** Runs in the page: one workload per core, then alternating timed batches. */
async function measure({ what, calls, rounds }) {
  const PASS = 'compare-passphrase';
  const entryJson = (i) => JSON.stringify({
    aws_access_key: { access_key_id: `AKIABENCH${String(i).padStart(11, '0')}`, secret_access_key: `secret/${i}/wJalrXUtnFEMI`, user_name: 'bob' },
  });
  const works = globalThis.cores.map((core) => {
    if (what === 'sign') {
      const request = {
        method: 'POST', url: 'https://iam.amazonaws.com/', body: 'Action=CreateAccessKey&UserName=bob&Version=2010-05-08',
        headers: [['content-type', 'application/x-www-form-urlencoded; charset=utf-8']],
      };
      const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
      const options = { region: 'us-east-1', service: 'iam', timeMs: Date.UTC(2026, 0, 15, 12) };
      return () => core.signAwsRequest(request, creds, options);
    }
    // Unlock at the defaults; the other workloads need a vault but not its cost.
    const vault = core.vaultCreate(PASS, what === 'unlock' ? undefined : { mKib: 19456, t: 2, p: 1 });
    if (what === 'unlock') return () => { core.vaultUnlock(vault.header, PASS); core.vaultLock(); };
    if (what === 'seal') return () => core.vaultSealEntry(vault.header, entryJson(0), Date.UTC(2026, 0, 15));
    const entries = Array.from({ length: 100 }, (_, i) => {
      const s = core.vaultSealEntry(vault.header, entryJson(i), Date.UTC(2026, 0, 15));
      return [s.storageKey, s.value];
    });
    return () => core.vaultListEntries(entries);
  });
  const samples = [[], []];
  for (let r = -2; r < rounds; r++) {
    for (const k of r % 2 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) works[k]();
      if (r >= 0) samples[k].push(((performance.now() - t0) * 1000) / calls);
    }
  }
  return samples;
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x').pathname;
  const dir = url.startsWith('/a/') ? dirA : url.startsWith('/b/') ? dirB : null;
  if (url === '/' || url === '/page.js') {
    res.writeHead(200, { 'content-type': url === '/' ? 'text/html' : 'text/javascript' });
    res.end(url === '/' ? '<script type="module" src="/page.js"></script>' : PAGE);
  } else if (dir) {
    const file = path.join(dir, path.basename(url));
    res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
    res.end(readFileSync(file));
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, timeout: 60_000 });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => globalThis.ready);
  await page.evaluate(() => globalThis.ready);
  const [a, b] = await page.evaluate(measure, plan);
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const ratios = b.map((x, i) => x / a[i]);
  const us = (x) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} ms` : `${x.toFixed(1)} µs`);
  console.log(
    `${what} (${plan.rounds} rounds × ${plan.calls}): A ${us(median(a))}, B ${us(median(b))}; ` +
      `B/A per round: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  );
} finally {
  await browser.close();
  server.close();
}
