// Create and vault, end to end (issue 8, item 5): the click on "Create and vault key" in the AWS
// console fixture to the success toast, against moto on loopback (signature checks on), with the
// test build of the extension in Chromium, as the e2e tests drive it (tests/support/*).
//
// Each run is broken down into the core's phases (sign: opening the signer and signing; network:
// fetch until the answer is in WASM memory, i.e. mostly moto's own time; parse; seal), the
// worker's storage write (store), and the rest (the console's message to the worker and back,
// finding the signer, storage reads, drawing the toast). The phases come from the User Timing
// measures the worker records (extension/src/background/timings.ts); the click and the toast are
// timed in the page's own clock, from the click event to the toast's host entering the DOM.
//
// Between runs, outside the timing, the new key is deleted at moto (the user stays under IAM's
// two-key limit), its vault entry is removed and the console rate limit's window is emptied, so
// every run sees the same vault (the signer and `vaultEntries` imported keys, none by default)
// and is not refused for coming faster than a person clicks.

import { loadCore, signedQuery } from '../tests/support/core.mjs';
import { dumpStorage, launchExtension, openPopup, sendFromPage } from '../tests/support/browser.mjs';
import {
  TOAST,
  buttonHost,
  clickInShadow,
  dismissToast,
  injectedButton,
  resetConsoleLimit,
  serveConsoles,
  waitForToast,
} from '../tests/support/console-driver.mjs';
import { startMoto } from '../tests/support/moto.mjs';
import { createVault, setAwsEndpoint } from '../tests/support/popup-driver.mjs';
import { addAwsSigner } from '../tests/support/signer-driver.mjs';
import { cleanUp } from '../tests/support/cleanup.mjs';

const USER = 'bench-user';
const PAGE = `https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/users/details/${USER}?section=security_credentials`;
const MEASURES = ['keysmith.aws.createAccessKey', 'keysmith.console.aws.createAccessKey'];
export const PHASES = ['signMs', 'networkMs', 'parseMs', 'sealMs', 'storeMs'];
const IDLE_BEFORE_CLICK_MS = 400;

/** In the page's main world: note when the next click happens and when a toast appears. */
function armProbe() {
  const probe = { clickAt: undefined, toastAt: undefined };
  globalThis.__createProbe = probe;
  document.addEventListener('click', (event) => (probe.clickAt ??= event.timeStamp), { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (document.querySelector('keysmith-toast') !== null) {
      probe.toastAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true });
}

/** The extension's running service worker (a restarted worker is a new object). */
function currentWorker(browser) {
  const worker = browser.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${browser.extensionId}/`));
  if (worker === undefined) throw new Error('the extension has no running service worker');
  return worker;
}

/**
 * @returns {Promise<{runs: {totalMs: number, workerMs: number, consoleHandlerMs: number,
 *   signMs: number, networkMs: number, parseMs: number, sealMs: number, storeMs: number}[],
 *   warmup: number}>}
 */
export async function consoleCreate({ runs, warmup = 3, vaultEntries = 0 }) {
  const core = await loadCore();
  const moto = await startMoto({ extraUsers: [USER] });
  let browser;
  try {
    browser = await launchExtension({ audit: false });
    const popup = await openPopup(browser);
    await setAwsEndpoint(popup, moto.endpoint);
    const vault = await createVault(popup, 'benchmark passphrase, create and vault');
    if (!vault.ok) throw new Error(`vault: ${vault.error}`);
    const signer = await addAwsSigner(browser, moto.signer);
    if (signer.kind !== 'ok') throw new Error(`signer: ${signer.text}`);
    if (vaultEntries > 0) {
      // Keys in the console's CSV format (not real ones: only their number matters here).
      const rows = Array.from({ length: vaultEntries }, (_, i) => `filler-${i},AKIA${String(i).padStart(16, '0')},${'x'.repeat(36)}${String(i).padStart(4, '0')}`);
      const imported = await sendFromPage(popup, { type: 'vault.import', text: `User Name,Access key ID,Secret access key\n${rows.join('\n')}\n` });
      if (!imported.ok || imported.result.imported.length !== vaultEntries) throw new Error(`import: ${JSON.stringify(imported).slice(0, 300)}`);
    }
    await serveConsoles(browser.context, { variant: 'classic', nextKey: () => ({}) });
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1200, height: 760 });
    await page.goto(PAGE);
    await injectedButton(page, 'aws-create-access-key');

    const samples = [];
    for (let i = 0; i < warmup + runs; i++) {
      const worker = currentWorker(browser);
      await worker.evaluate(() => performance.clearMeasures());
      // A person pauses between actions; the worker also counts vault uses closer together than
      // 250 ms as one (TOUCH_COALESCE_MS), and a run must not ride on the cleanup's.
      await page.waitForTimeout(IDLE_BEFORE_CLICK_MS);
      await page.evaluate(armProbe);
      await clickInShadow(page, buttonHost('aws-create-access-key'));
      const toast = await waitForToast(page, 'ok').catch(async (error) => {
        const shown = await page.locator(TOAST).getAttribute('data-code').catch(() => 'none');
        throw new Error(`run ${i}: no success toast (toast code: ${shown}): ${error.message}`);
      });
      const probe = await page.evaluate(() => globalThis.__createProbe);
      const measures = await worker.evaluate(
        (names) => names.map((name) => performance.getEntriesByName(name, 'measure')[0]).map((m) => m && { duration: m.duration, detail: m.detail }),
        MEASURES,
      );
      if (probe.clickAt === undefined || probe.toastAt === undefined || measures.some((m) => m === undefined)) {
        throw new Error(`run ${i}: incomplete timing (${JSON.stringify({ probe, measures })})`);
      }
      const [worker_, handler] = measures;
      if (i >= warmup) {
        samples.push({
          totalMs: probe.toastAt - probe.clickAt,
          workerMs: worker_.duration,
          consoleHandlerMs: handler.duration,
          ...Object.fromEntries(PHASES.map((phase) => [phase, worker_.detail[phase]])),
        });
      }
      // Untimed: free the slot at moto and drop the entry, so that every run starts alike.
      const accessKeyId = /Access key (AKIA[A-Z0-9]{16})/.exec(toast.text)?.[1];
      const deleted = await signedQuery(core, {
        endpoint: moto.endpoint,
        service: 'iam',
        params: { Action: 'DeleteAccessKey', UserName: USER, AccessKeyId: accessKeyId },
        credentials: moto.signer,
      });
      if (deleted.status !== 200) throw new Error(`run ${i}: DeleteAccessKey: ${deleted.text}`);
      const listed = await sendFromPage(popup, { type: 'vault.list' });
      const entry = listed.result.entries.find((e) => e.accessKeyId === accessKeyId);
      if (entry === undefined) throw new Error(`run ${i}: ${accessKeyId} is not in the vault`);
      await sendFromPage(popup, { type: 'vault.delete', storageKey: entry.storageKey });
      // Runs come faster than a person clicks: past the console rate limit (5 a minute) the
      // worker would refuse them; start each with a fresh window, as a minute's wait would.
      await resetConsoleLimit(popup);
      await dismissToast(page);
    }
    const stored = Object.keys((await dumpStorage(popup)).local).filter((k) => k.startsWith('keysmith.entry.'));
    return { runs: samples, warmup, vaultEntries: stored.length };
  } finally {
    await cleanUp(() => browser?.close(), () => moto.stop());
  }
}
