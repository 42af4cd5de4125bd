// End to end: the popup's vault list and the rest of the Scaleway key form, in real Chromium
// against the strict Scaleway fake. Custom expiry (a past date refused in the popup), the
// Organization's maximum key lifetime (refused before any create), expiry badges (a fake clock in
// a second popup), search, reveal (hidden after 30 s), copy (the clipboard cleared after 30 s only
// if it still holds the secret; the timeout set on the options page), delete with undo, the Object Storage (S3) profile export, and an
// axe-core check of each state of the popup. Screenshots go to test-results/.
// Run: node --test tests/e2e/popup-list.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import { describeViolations, seriousViolations } from '../support/axe.mjs';
import {
  createVault,
  deleteEntry,
  exportEntry,
  lockVault,
  setClipboardClearSeconds,
  unlockVault,
  waitForVaultState,
} from '../support/popup-driver.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';
import { createScalewayKey, setScalewayEndpoint, verifyScalewaySigner } from '../support/scaleway-driver.mjs';
import { addScalewaySigner } from '../support/signer-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';

const PASSPHRASE = 'harbour violet tundra sextant 19';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

async function assertAccessible(page, state) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `axe, ${state}:\n${describeViolations(violations)}`);
}

/** The list row of an entry, by its title (the access key). */
const row = (page, title) =>
  page.locator('#entry-list > li').filter({ has: page.locator('.entry-title', { hasText: title }) });

describe('popup: the vault list and the Scaleway key form', { timeout: 300_000 }, () => {
  let fake;
  let browser;
  let popup;
  /** Keys created here: name → {accessKey, secret}. */
  const keys = {};

  /** Opens a second popup whose clock is fake, starting `offsetMs` from now. */
  async function popupWithClock(offsetMs = 0) {
    const page = await browser.context.newPage();
    await page.clock.install({ time: Date.now() + offsetMs });
    await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await page.locator('#entry-list > li').first().waitFor();
    return page;
  }

  before(
    async () => {
      fake = await startScalewayFake();
      browser = await launchExtension();
      popup = await openPopup(browser);
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await setScalewayEndpoint(popup, fake.url);
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => fake?.stop()));

  test('axe: the first-run screen has no serious violation; then the vault is created', async () => {
    await waitForVaultState(popup, 'none');
    await assertAccessible(popup, 'first run');
    const vault = await createVault(popup, PASSPHRASE);
    assert.equal(vault.ok, true, vault.error);
    // Signers are vault entries, added on the options page.
    const added = await addScalewaySigner(browser, fake.signer);
    assert.equal(added.kind, 'ok', added.text);
    assert.equal((await verifyScalewaySigner(popup, fake.signer)).kind, 'ok');
  });

  test('custom expiry: a past date is refused in the popup; a future one reaches Scaleway', async () => {
    const before = fake.audit().length;
    const past = await createScalewayKey(popup, fake.signer, { expiryDate: new Date(Date.now() - 2 * HOUR_MS) });
    assert.equal(past.kind, 'error');
    assert.equal(past.errorCode, 'invalid_expiry');
    assert.match(past.text, /in the past/);
    assert.equal(await popup.getByLabel('Expiry date and time').getAttribute('aria-invalid'), 'true');
    assert.equal(await popup.evaluate(() => document.activeElement?.id), 'scw-expiry-custom');
    await popup.screenshot({ path: screenshotPath('popup-expiry-past.png'), fullPage: true });
    assert.equal(fake.audit().length, before, 'a refused expiry reached Scaleway');

    const at = new Date(Date.now() + 3 * DAY_MS + HOUR_MS);
    const made = await createScalewayKey(popup, fake.signer, { expiryDate: at, description: 'three days' });
    assert.equal(made.kind, 'ok', made.text);
    const stored = fake.apiKey(made.fields['Access key']);
    // To the minute: the field has no seconds.
    assert.ok(Math.abs(Date.parse(stored.expires_at) - at.getTime()) < 60_000, stored.expires_at);
    assert.equal(await popup.getByLabel('Expiry date and time').getAttribute('aria-invalid'), 'false');
    keys.threeDays = { accessKey: made.fields['Access key'], secret: stored.secret_key };
    await assertAccessible(popup, 'Scaleway form with a custom expiry');
  });

  test("the Organization's maximum lifetime: refused before any create, with what to do", async () => {
    fake.setMaxApiKeyExpirationMs(DAY_MS);
    try {
      fake.clearAudit();
      for (const expiry of ['In 1 week', 'Never']) {
        const refused = await createScalewayKey(popup, fake.signer, { expiry });
        assert.equal(refused.kind, 'error', expiry);
        assert.equal(refused.errorCode, 'expiry_beyond_maximum', refused.text);
        assert.match(refused.text, /at most 1 day/);
        assert.match(refused.text, /choose an expiry within 1 day/);
        assert.equal(await popup.getByLabel('Expires').getAttribute('aria-invalid'), 'true');
      }
      await popup.screenshot({ path: screenshotPath('popup-expiry-org-maximum.png'), fullPage: true });
      const calls = fake.audit().map((entry) => `${entry.method} ${entry.path}`);
      assert.ok(!calls.includes('POST /iam/v1alpha1/api-keys'), calls.join('\n'));
      assert.ok(calls.includes(`GET /iam/v1alpha1/organizations/${fake.organizationId}/security-settings`), calls.join('\n'));

      const within = await createScalewayKey(popup, fake.signer, { expiry: 'In 1 hour', description: 'one hour' });
      assert.equal(within.kind, 'ok', within.text);
      keys.oneHour = { accessKey: within.fields['Access key'], secret: fake.apiKey(within.fields['Access key']).secret_key };
    } finally {
      fake.setMaxApiKeyExpirationMs(undefined);
    }
    const never = await createScalewayKey(popup, fake.signer, { description: 'forever', project: 'production' });
    assert.equal(never.kind, 'ok', never.text);
    keys.never = { accessKey: never.fields['Access key'], secret: fake.apiKey(never.fields['Access key']).secret_key };
  });

  test('expiry badges: "expires in N days" now, "expired" once the popup\'s clock passes the expiry', async () => {
    await row(popup, keys.oneHour.accessKey).waitFor();
    assert.equal(await row(popup, keys.threeDays.accessKey).locator('.badge.expiring').textContent(), 'expires in 4 days');
    assert.equal(await row(popup, keys.oneHour.accessKey).locator('.badge.expiring').textContent(), 'expires within a day');
    assert.equal(await row(popup, keys.never.accessKey).locator('.badge.expiring, .badge.expired').count(), 0);

    const later = await popupWithClock(2 * HOUR_MS);
    try {
      assert.equal(await row(later, keys.oneHour.accessKey).locator('.badge.expired').textContent(), 'expired');
      assert.equal(await row(later, keys.threeDays.accessKey).locator('.badge.expired').count(), 0);
      await later.screenshot({ path: screenshotPath('popup-expired-badge.png'), fullPage: true });
    } finally {
      await later.close();
    }
  });

  test('search filters as you type, from the keyboard, and Escape clears it', async () => {
    const visible = () => popup.locator('#entry-list > li:not([hidden]) .entry-title').allTextContents();
    // The three keys created above, and the Scaleway signer identity (a vault entry too).
    assert.equal((await visible()).length, 4);
    // Keyboard: the search box follows the Lock button.
    await popup.getByRole('button', { name: 'Lock', exact: true }).focus();
    await popup.keyboard.press('Tab');
    assert.equal(await popup.evaluate(() => document.activeElement?.id), 'entry-search');
    await popup.keyboard.type('three');
    assert.deepEqual(await visible(), [keys.threeDays.accessKey]);
    assert.equal(await popup.locator('#search-status').textContent(), '1 of 4 entries matches.');
    await popup.screenshot({ path: screenshotPath('popup-search.png'), fullPage: true });
    // Several words must all match: provider and Project id.
    await popup.getByLabel('Search entries').fill(`scaleway ${fake.projects[1].id.slice(0, 8)}`);
    assert.deepEqual(await visible(), [keys.never.accessKey]);
    // A key id, in lower case.
    await popup.getByLabel('Search entries').fill(keys.oneHour.accessKey.toLowerCase());
    assert.deepEqual(await visible(), [keys.oneHour.accessKey]);
    await popup.getByLabel('Search entries').fill('no-such-entry');
    assert.deepEqual(await visible(), []);
    assert.equal(await popup.locator('#search-status').textContent(), 'No entry matches "no-such-entry".');
    await popup.getByLabel('Search entries').press('Escape');
    assert.equal(await popup.getByLabel('Search entries').inputValue(), '');
    assert.equal((await visible()).length, 4);
  });

  test('reveal shows the secret, and hides it again after 30 s (fake clock)', async () => {
    const auditBefore = fake.audit().length;
    const page = await popupWithClock();
    try {
      const entry = row(page, keys.never.accessKey);
      await entry.getByRole('button', { name: `Reveal the secret of ${keys.never.accessKey}` }).click();
      const shown = entry.getByRole('group', { name: `Secret of ${keys.never.accessKey}` });
      await shown.waitFor();
      assert.equal(await shown.locator('code').textContent(), keys.never.secret);
      await assertAccessible(page, 'unlocked list with a revealed secret');
      await page.screenshot({ path: screenshotPath('popup-reveal.png'), fullPage: true });
      await page.clock.runFor(29_000);
      assert.equal(await shown.isVisible(), true, 'hidden too early');
      await page.clock.runFor(2_000);
      await shown.waitFor({ state: 'hidden' });
      // (A hidden group has no role for getByRole: read the element itself.)
      assert.equal(await entry.locator('.reveal-panel code').textContent(), '', 'the hidden secret is still in the page');
      assert.match(await page.locator('#list-status').textContent(), /hidden again after 30 seconds/);
    } finally {
      await page.close();
    }
    assert.equal(fake.audit().length, auditBefore, 'revealing called Scaleway');
  });

  test('a slow answer (over 200 ms) shows progress in the list, and the list is marked busy', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
      await page.locator('#entry-list > li').first().waitFor();
      // A slow worker, simulated in the page: every reply arrives 800 ms late.
      await page.evaluate(() => {
        const send = chrome.runtime.sendMessage.bind(chrome.runtime);
        chrome.runtime.sendMessage = (message) =>
          send(message).then((reply) => new Promise((resolve) => setTimeout(() => resolve(reply), 800)));
      });
      const title = keys.threeDays.accessKey;
      await row(page, title).getByRole('button', { name: `Reveal the secret of ${title}` }).click();
      await page.locator('#list-status[data-kind="busy"]').filter({ hasText: `Opening the entry ${title}…` }).waitFor();
      assert.equal(await page.locator('#entry-list').getAttribute('aria-busy'), 'true');
      await page.screenshot({ path: screenshotPath('popup-progress.png'), fullPage: true });
      await row(page, title).locator('.reveal-panel').waitFor();
      assert.equal(await page.locator('#entry-list').getAttribute('aria-busy'), null);
      assert.match(await page.locator('#list-status').textContent(), /is shown for 30 seconds/);
    } finally {
      await page.close();
    }
  });

  test('copy puts the secret on the clipboard and clears it after 30 s, unless it changed', async () => {
    const page = await popupWithClock();
    try {
      await page.bringToFront();
      const readClipboard = () => page.evaluate(() => navigator.clipboard.readText());
      const copy = async (title) => {
        await row(page, title).getByRole('button', { name: `Copy secret of ${title}` }).click();
        await page.locator('#list-status').filter({ hasText: `Copied the secret of ${title}` }).waitFor();
      };
      await copy(keys.threeDays.accessKey);
      assert.equal(await readClipboard(), keys.threeDays.secret);
      assert.match(await page.locator('#list-status').textContent(), /only while this popup stays open/);
      await page.clock.runFor(29_000);
      assert.equal(await readClipboard(), keys.threeDays.secret, 'cleared too early');
      await page.clock.runFor(2_000);
      await page.locator('#list-status').filter({ hasText: 'The clipboard was cleared after 30 seconds.' }).waitFor();
      assert.equal(await readClipboard(), '');

      // The user copied something else meanwhile: left alone.
      await copy(keys.oneHour.accessKey);
      await page.evaluate(() => navigator.clipboard.writeText('a note the user copied'));
      await page.clock.runFor(31_000);
      await page.locator('#list-status').filter({ hasText: 'holds something else now' }).waitFor();
      assert.equal(await readClipboard(), 'a note the user copied');
    } finally {
      await page.close();
    }
  });

  test('copy follows the clipboard timeout set on the options page, in an open popup and a new one', async () => {
    const readClipboard = (page) => page.evaluate(() => navigator.clipboard.readText());
    const copy = async (page, title) => {
      await row(page, title).getByRole('button', { name: `Copy secret of ${title}` }).click();
      await page.locator('#list-status').filter({ hasText: `Copied the secret of ${title}` }).waitFor();
    };
    /** Copies in `page` and checks the clipboard holds the secret until `seconds` have passed. */
    const copyAndWatch = async (page, key, seconds) => {
      await page.bringToFront();
      await copy(page, key.accessKey);
      assert.equal(await readClipboard(page), key.secret);
      assert.match(await page.locator('#list-status').textContent(), new RegExp(`clears the clipboard in ${seconds} seconds`));
      await page.clock.runFor((seconds - 1) * 1000);
      assert.equal(await readClipboard(page), key.secret, 'cleared too early');
      await page.clock.runFor(2_000);
      await page.locator('#list-status').filter({ hasText: `The clipboard was cleared after ${seconds} seconds.` }).waitFor();
      assert.equal(await readClipboard(page), '');
    };
    const open = await popupWithClock();
    try {
      // Changed on the options page while a popup is open: its next copy uses the new time
      // (longer than the default).
      await setClipboardClearSeconds(open, 45);
      await copyAndWatch(open, keys.threeDays, 45);
      // Then shorter, seen by a popup opened afterwards.
      await setClipboardClearSeconds(open, 8);
      const fresh = await popupWithClock();
      try {
        await copyAndWatch(fresh, keys.oneHour, 8);
      } finally {
        await fresh.close();
      }
    } finally {
      await setClipboardClearSeconds(open, 30);
      await open.close();
    }
  });

  test('the Object Storage (S3-compatible) profile export shows an AWS CLI profile for Scaleway', async () => {
    await popup.getByLabel('Scaleway region for exports').fill('nl-ams');
    await popup.getByLabel('Scaleway zone for exports').fill('nl-ams-1');
    try {
      const text = await exportEntry(popup, keys.never.accessKey, 'Object Storage profile (AWS CLI, S3 endpoint)', 'scw-s3');
      assert.equal(
        text,
        '[scw-s3]\n' +
          `aws_access_key_id = ${keys.never.accessKey}\n` +
          `aws_secret_access_key = ${keys.never.secret}\n` +
          'region = nl-ams\n' +
          'endpoint_url = https://s3.nl-ams.scw.cloud\n',
      );
      const panel = row(popup, keys.never.accessKey).locator('.export-panel');
      assert.match(await panel.locator('label').textContent(), /^Object Storage profile \(AWS CLI, S3 endpoint\) for SCW/);
      await popup.screenshot({ path: screenshotPath('popup-export-s3.png'), fullPage: true });
      await panel.getByRole('button', { name: 'Hide' }).click();
      // A region without an S3 endpoint is refused with the reason.
      await popup.getByLabel('Scaleway region for exports').fill('de-fra');
      const entry = row(popup, keys.never.accessKey);
      await entry.getByLabel(`Export format for ${keys.never.accessKey}`).selectOption({ label: 'Object Storage profile (AWS CLI, S3 endpoint)' });
      await entry.getByRole('button', { name: `Export ${keys.never.accessKey}` }).click();
      await popup.locator('#list-status[data-kind="error"]').filter({ hasText: 'de-fra' }).waitFor();
      assert.equal(await panel.isVisible(), false);
    } finally {
      await popup.getByLabel('Scaleway region for exports').fill('fr-par');
      await popup.getByLabel('Scaleway zone for exports').fill('fr-par-1');
    }
  });

  test('delete asks first, then Undo restores the entry; locking ends the undo offer', async () => {
    const title = keys.oneHour.accessKey;
    await deleteEntry(popup, title);
    assert.equal(await popup.locator('#undo-text').textContent(), `Deleted ${title} (one hour).`);
    assert.equal(await row(popup, title).count(), 0);
    await popup.screenshot({ path: screenshotPath('popup-deleted-undo.png'), fullPage: true });
    await popup.getByRole('button', { name: 'Undo' }).click();
    await row(popup, title).waitFor();
    assert.equal(await popup.locator('#undo-bar').isHidden(), true);

    await deleteEntry(popup, title);
    await lockVault(popup);
    assert.equal(await popup.locator('#undo-bar').isHidden(), true);
    await assertAccessible(popup, 'locked');
    await popup.screenshot({ path: screenshotPath('popup-locked.png'), fullPage: true });
    assert.equal((await unlockVault(popup, PASSPHRASE)).ok, true);
    assert.equal(await popup.locator('#undo-bar').isHidden(), true);
    // Still restorable from "Recently deleted" for the rest of the browser session (sealed).
    const list = await sendFromPage(popup, { type: 'vault.list' });
    assert.deepEqual(list.result.deleted.map((item) => item.accessKey), [title]);
    await popup.locator('#deleted-section summary').click();
    await popup.getByRole('button', { name: `Restore ${title}` }).click();
    await row(popup, title).waitFor();
    await assertAccessible(popup, 'unlocked list');
    // Dark mode: the same checks, contrast included, with the dark palette.
    await popup.emulateMedia({ colorScheme: 'dark' });
    try {
      await assertAccessible(popup, 'unlocked list, dark mode');
      await popup.screenshot({ path: screenshotPath('popup-list-dark.png'), fullPage: true });
    } finally {
      await popup.emulateMedia({ colorScheme: 'light' });
    }
  });

  test('no secret reached any console', () => {
    const logged = browser.consoleLines.join('\n');
    for (const { secret } of Object.values(keys)) {
      assert.ok(!logged.includes(secret), 'a secret key appears in the console output');
    }
  });
});
