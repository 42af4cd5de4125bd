// Launches Debian's Chromium with an unpacked build of the extension, via playwright-core.
// Never downloads a browser: /usr/bin/chromium is installed with apt.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { auditAndClose, rememberMessageSecrets } from './leak-audit.mjs';
import { repoRoot } from './moto.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const TEST_DIST = path.join(repoRoot, 'dist', 'extension-test');
export const SHIPPED_DIST = path.join(repoRoot, 'dist', 'extension');
export const RESULTS_DIR = path.join(repoRoot, 'test-results');

const LAUNCH_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} ExtensionBrowser
 * @property {import('playwright-core').BrowserContext} context
 * @property {string} extensionId
 * @property {import('playwright-core').Worker} serviceWorker
 * @property {string[]} consoleLines  console output of the service worker and all pages so far,
 *           as "source: type: text" (tests check that no secret ever appears there)
 * @property {string} profileDir  the browser profile on disk (removed by close)
 * @property {() => Promise<object | undefined>} close
 *           runs the leak audit (tests/support/leak-audit.mjs: storage, pages, logs and emulator
 *           requests while the browser is open, then every file of the profile once it has closed;
 *           throws if a secret is found), closes Chromium and removes its profile directory. Returns
 *           what the audit searched (counts), if it ran.
 */

/**
 * @param {{dist?: string, headless?: boolean, profileDir?: string, extraExtensions?: string[], audit?: boolean}} [options]
 *        `profileDir`: reuse this browser profile (e.g. to reopen the browser on the same storage)
 *        and leave it in place on close; the caller removes it. By default a fresh one, removed on
 *        close. `extraExtensions` are further unpacked extensions to load beside Keysmith (the
 *        hostile-message tests load one of their own). `audit: false` skips the leak audit at close
 *        (the demo and the benchmarks, which are not tests).
 * @returns {Promise<ExtensionBrowser>}
 */
export async function launchExtension(options = {}) {
  const dist = options.dist ?? TEST_DIST;
  if (!existsSync(path.join(dist, 'manifest.json'))) {
    throw new Error(`${dist} has no manifest.json: build it first (node extension/build.mjs --test-build)`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install -y chromium chromium-driver`);
  }
  const ownProfile = options.profileDir === undefined;
  const profileDir = options.profileDir ?? mkdtempSync(path.join(os.tmpdir(), 'keysmith-profile-'));
  const removeProfile = () => {
    if (ownProfile) {
      rmSync(profileDir, { recursive: true, force: true });
    }
  };
  const loaded = [dist, ...(options.extraExtensions ?? [])].join(',');
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: options.headless ?? true,
      timeout: LAUNCH_TIMEOUT_MS,
      viewport: { width: 420, height: 760 },
      args: [
        `--disable-extensions-except=${loaded}`,
        `--load-extension=${loaded}`,
        // Root in a container: Chromium's sandbox cannot start here.
        '--no-sandbox',
      ],
    });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    const serviceWorker = await waitForServiceWorker(context);
    const extensionId = new URL(serviceWorker.url()).host;
    const consoleLines = [];
    const listenToWorker = (worker) =>
      worker.on('console', (message) => consoleLines.push(`worker: ${message.type()}: ${message.text()}`));
    listenToWorker(serviceWorker);
    // A restarted worker (after stopServiceWorker) is a new Worker object.
    context.on('serviceworker', listenToWorker);
    context.on('console', (message) => consoleLines.push(`page: ${message.type()}: ${message.text()}`));
    const opened = context;
    /** @type {ExtensionBrowser} */
    const browser = {
      context: opened,
      extensionId,
      serviceWorker,
      consoleLines,
      profileDir,
      close: async () => {
        const closeBrowser = () => opened.close();
        try {
          return options.audit === false ? await closeBrowser() : await auditAndClose(browser, closeBrowser);
        } finally {
          removeProfile();
        }
      },
    };
    return browser;
  } catch (error) {
    if (context !== undefined) {
      await context.close();
    }
    removeProfile();
    throw error;
  }
}

/**
 * The extension's service worker. Polled rather than awaited as an event: the worker may have
 * registered before a listener could be attached.
 */
async function waitForServiceWorker(context) {
  const deadline = Date.now() + LAUNCH_TIMEOUT_MS;
  for (;;) {
    // Keysmith's worker is background.js; other loaded extensions name theirs differently.
    const worker = context
      .serviceWorkers()
      .find((candidate) => /^chrome-extension:\/\/[a-p]{32}\/background\.js$/.test(candidate.url()));
    if (worker !== undefined) {
      return worker;
    }
    if (Date.now() > deadline) {
      throw new Error(`the extension's service worker did not start within ${LAUNCH_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens the popup page in a tab (the same page Chrome shows in the toolbar popup). */
export async function openPopup(browser) {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
  // The popup asks the worker for the core version on load; wait for the answer.
  await page.locator('#core-version').filter({ hasNotText: 'loading…' }).waitFor();
  return page;
}

/** Path for a screenshot in test-results/, creating the folder. */
export function screenshotPath(name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name);
}

/**
 * Stops the extension's service worker the way Chrome does when it is idle (DevTools protocol,
 * ServiceWorker.stopWorker), and waits until it has stopped. The next event (a message, an
 * alarm) starts a fresh worker: new JS globals, new WASM memory.
 * `page` is any page of the extension (the ServiceWorker domain sees workers of its origin).
 * @returns {Promise<{waitUntilRunning: () => Promise<void>}>}
 */
export async function stopServiceWorker(browser, page) {
  const cdp = await browser.context.newCDPSession(page);
  const versions = new Map();
  const waiters = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }) => {
    for (const version of updated) {
      if (version.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`)) {
        versions.set(version.versionId, version);
      }
    }
    for (const waiter of [...waiters]) {
      waiter();
    }
  });
  const until = (predicate, what, timeoutMs = ACTION_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = [...versions.values()].find(predicate);
        if (found !== undefined) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`service worker: ${what} within ${timeoutMs} ms (${JSON.stringify([...versions.values()])})`));
      }, timeoutMs);
      waiters.push(check);
      check();
    });
  await cdp.send('ServiceWorker.enable');
  const running = await until((v) => v.runningStatus === 'running', 'no running worker');
  await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
  await until((v) => v.versionId === running.versionId && v.runningStatus === 'stopped', 'did not stop');
  return {
    waitUntilRunning: async () => {
      await until((v) => v.runningStatus === 'running', 'did not start again');
      await cdp.detach();
    },
  };
}

/** Everything in chrome.storage.local and chrome.storage.session, read from an extension page. */
export async function dumpStorage(page) {
  return page.evaluate(async () => ({
    local: await chrome.storage.local.get(null),
    session: await chrome.storage.session.get(null),
  }));
}

/** Sends a runtime message from an extension page (so, as a trusted sender) and returns the reply. */
export async function sendFromPage(page, message) {
  rememberMessageSecrets(message);
  return page.evaluate((msg) => chrome.runtime.sendMessage(msg), message);
}

/**
 * Arms a pause point of the test build's worker (extension/src/background/test-pause.ts): the
 * next create that reaches `step` is held there.
 */
export async function armPause(page, step) {
  await page.evaluate((at) => chrome.storage.session.set({ 'keysmith.test.pauseAt': at }), step);
}

/** Waits until the test build's worker is held at pause point `step` (see armPause). */
export async function waitForPause(page, step, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await page.evaluate(async () => (await chrome.storage.session.get('keysmith.test.pausedAt'))['keysmith.test.pausedAt']);
    if (held === step) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the worker did not reach pause point ${step} within ${timeoutMs} ms (held at: ${held})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lets a worker held at a pause point go on. */
export async function releasePause(page) {
  await page.evaluate(() => chrome.storage.session.set({ 'keysmith.test.release': Date.now() }));
}

/**
 * Opens `url` (served by `body` through a route, so no network is needed), waits for
 * `readySelector` (what Keysmith's content script marks on the page), and returns a handle on
 * the content script's isolated world, which Playwright does not expose (reached through the
 * DevTools protocol): `world.evaluate(expression)` runs an expression there and returns its
 * value; `world.send(message)` sends a runtime message from there; `world.page` is the tab.
 */
export async function contentScriptWorld(browser, { url, body, readySelector }) {
  const page = await browser.context.newPage();
  await page.route(`${new URL(url).origin}/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }),
  );
  const cdp = await browser.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  await page.locator(readySelector).waitFor();
  const isolated = contexts.find(
    (context) => context.auxData?.type === 'isolated' && context.origin === `chrome-extension://${browser.extensionId}`,
  );
  if (isolated === undefined) {
    throw new Error(`no content-script world among ${JSON.stringify(contexts.map((c) => [c.name, c.origin]))}`);
  }
  const evaluate = async (expression) => {
    const evaluation = await cdp.send('Runtime.evaluate', {
      expression,
      contextId: isolated.id,
      awaitPromise: true,
      returnByValue: true,
      timeout: 10_000,
    });
    if (evaluation.exceptionDetails !== undefined) {
      throw new Error(`content script: ${JSON.stringify(evaluation.exceptionDetails)}`);
    }
    return evaluation.result.value;
  };
  return {
    page,
    evaluate,
    send: (message) => evaluate(`chrome.runtime.sendMessage(${JSON.stringify(message)})`),
  };
}
