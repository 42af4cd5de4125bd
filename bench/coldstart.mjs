// Cold start (issue 8, item 2): from an extension service worker being started to its first
// signed request being ready, Keysmith's core against aws4fetch in the same worker code
// (bench/coldstart-worker.js, built twice). Both extensions are loaded in one Chromium; each
// round stops both workers through the DevTools protocol (as Chrome does when idle) and wakes
// them with a message, in alternating order.
//
// Two figures per start: `readyMs`, measured inside the worker from its time origin (script
// evaluation, WASM fetch and compilation, init and the signature), and `wakeMs`, measured by
// the extension page from sending the waking message to the answer (adds worker start-up and
// message passing, which are the same for both).

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, stopServiceWorker } from '../tests/support/browser.mjs';

// The shipped core, the same core built without the vault (build/pkg-signing), and the peer.
const CONTENDERS = ['keysmith', 'keysmith-signing-only', 'aws4fetch'];
const CORE_PKG = { keysmith: 'pkg', 'keysmith-signing-only': 'pkg-signing' };

async function buildExtension(root, dir, signer, signInput) {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'bench', 'coldstart-worker.js')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome110',
    define: { SIGNER: JSON.stringify(signer), SIGN_INPUT: JSON.stringify(signInput) },
    outfile: path.join(dir, 'worker.js'),
    alias: { 'keysmith-core': path.join(root, 'build', CORE_PKG[signer] ?? 'pkg', 'keysmith_core.js') },
    logLevel: 'error',
  });
  if (CORE_PKG[signer]) {
    cpSync(path.join(root, 'build', CORE_PKG[signer], 'keysmith_core_bg.wasm'), path.join(dir, 'keysmith_core_bg.wasm'));
  }
  const manifest = {
    manifest_version: 3,
    name: `coldstart-${signer}`,
    version: '1.0.0',
    background: { service_worker: 'worker.js', type: 'module' },
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  writeFileSync(path.join(dir, 'page.html'), '<!doctype html><meta charset="utf-8"><title>coldstart</title>');
}

async function workerFor(context, name) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const worker of context.serviceWorkers()) {
      const id = new URL(worker.url()).host;
      const manifestName = await worker.evaluate(() => chrome.runtime.getManifest().name).catch(() => '');
      if (manifestName === `coldstart-${name}`) return id;
    }
    if (Date.now() > deadline) throw new Error(`coldstart-${name}: no service worker within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** @returns {Promise<{samples: Record<string, {scriptMs: number[], loadedMs: number[], readyMs: number[], wakeMs: number[]}>, authorization: string}>} */
export async function coldStart(root, { rounds, signInput }) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'keysmith-coldstart-'));
  let context;
  try {
    const dirs = Object.fromEntries(CONTENDERS.map((c) => [c, path.join(work, c)]));
    for (const c of CONTENDERS) await buildExtension(root, dirs[c], c, signInput);
    const list = Object.values(dirs).join(',');
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      args: [`--disable-extensions-except=${list}`, `--load-extension=${list}`, '--no-sandbox'],
    });
    const ext = {};
    for (const c of CONTENDERS) {
      const extensionId = await workerFor(context, c);
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/page.html`);
      ext[c] = { browser: { context, extensionId }, page };
    }
    const ask = (c) =>
      ext[c].page.evaluate(async () => {
        const t0 = performance.now();
        const answer = await chrome.runtime.sendMessage('coldstart?');
        return { ...answer, wakeMs: performance.now() - t0 };
      });

    // Both must produce the same signature before anything is timed.
    const first = {};
    for (const c of CONTENDERS) {
      const answer = await ask(c);
      if (!answer.ok) throw new Error(`coldstart-${c}: ${answer.error}`);
      first[c] = answer.authorization;
    }
    for (const c of CONTENDERS) {
      if (first[c] !== first.aws4fetch) {
        throw new Error(`cold start: ${c} and aws4fetch signatures differ:\n${first[c]}\n${first.aws4fetch}`);
      }
    }

    const samples = Object.fromEntries(
      CONTENDERS.map((c) => [c, { scriptMs: [], loadedMs: [], readyMs: [], wakeMs: [] }]),
    );
    for (let round = 0; round < rounds; round++) {
      const order = CONTENDERS.map((_, k) => CONTENDERS[(round + k) % CONTENDERS.length]);
      for (const c of order) {
        const stopped = await stopServiceWorker(ext[c].browser, ext[c].page);
        const answer = await ask(c);
        await stopped.waitUntilRunning();
        if (!answer.ok) throw new Error(`coldstart-${c}: ${answer.error}`);
        for (const key of Object.keys(samples[c])) samples[c][key].push(answer[key]);
      }
    }
    return { samples, authorization: first.keysmith };
  } finally {
    await context?.close().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}
