// End to end: the options page in real Chromium against moto. Each setting is changed the way a
// person does it, then checked where it applies (the auto-lock alarm, the popup's EC2 form, the
// endpoint the worker calls); the passphrase change; the vault file exported from one browser
// profile and imported into a fresh one (a changed or cut-short file is refused and changes
// nothing); two options windows saving at once; axe-core on the page in light and dark mode.
// Run: node --test tests/e2e/options.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { describeViolations, seriousViolations } from '../support/axe.mjs';
import { launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { findFreePort, startMoto } from '../support/moto.mjs';
import { setEndpoints, submitForm as submit, waitForFormResult } from '../support/popup-driver.mjs';
import { openOptions } from '../support/signer-driver.mjs';

const PASSPHRASE = 'copper meadow ninety kites';
const NEW_PASSPHRASE = 'silver orchard eleven ferries';
// A key pasted into the vault (not a real one): its secret must never appear in the vault file.
const PASTED_KEY_ID = 'AKIAOPTIONSTEST00001';
const PASTED_SECRET = 'pAsTeDsEcReTkEyFoRtHeOpTiOnSpAgEtEsT0001';

async function settings(page) {
  const reply = await sendFromPage(page, { type: 'settings.get' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply.result;
}

async function vaultStatus(page) {
  const reply = await sendFromPage(page, { type: 'vault.status' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply.result;
}

/** The entries as a list shows them, reduced to what identifies them. */
async function entryIds(page) {
  const reply = await sendFromPage(page, { type: 'vault.list' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply.result.entries.map((entry) => `${entry.kind}:${entry.accessKeyId ?? entry.accessKey ?? entry.keyName}`).sort();
}

async function assertNoSeriousViolations(page, state) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `axe (${state}):\n${describeViolations(violations)}`);
}

/** Chooses `text` as the vault file, types its passphrase and presses Import. */
async function startVaultFileImport(page, text, passphrase, name = 'keysmith-vault.json') {
  await page.getByLabel('Vault file', { exact: true }).setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.getByLabel('Passphrase of the exported vault').fill(passphrase);
  await page.locator('#import-status').evaluate((status) => delete status.dataset.kind);
  await page.getByRole('button', { name: 'Import vault file' }).click();
}

/** Imports `text` as a vault file on the options page; returns the page's result. */
async function importVaultFile(page, text, passphrase, { name = 'keysmith-vault.json', replace } = {}) {
  await startVaultFileImport(page, text, passphrase, name);
  if (replace !== undefined) {
    const confirm = page.locator('#replace-confirm');
    await confirm.waitFor();
    await page.getByRole('button', { name: replace ? 'Replace the vault here' : 'Keep the vault here' }).click();
  }
  return waitForFormResult(page, 'import-vault-form', 'import-status');
}

/**
 * Starts importing `text` into a browser that has a vault: returns the replace question as
 * shown, whether it offers "Export this vault first", and what the worker counts.
 */
async function replaceQuestion(page, text, passphrase, name) {
  await startVaultFileImport(page, text, passphrase, name);
  await page.locator('#replace-confirm').waitFor();
  const exportFirst = page.getByRole('button', { name: 'Export this vault first' });
  const reply = await sendFromPage(page, { type: 'vault.fileState' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return {
    text: await page.locator('#replace-confirm-text').innerText(),
    offersExport: await exportFirst.isVisible(),
    focused: await page.evaluate(() => document.activeElement?.id),
    state: reply.result,
  };
}

/** Answers the replace question with Escape (keep): nothing imported, the passphrase gone. */
async function keepWithEscape(page) {
  await page.keyboard.press('Escape');
  const kept = await waitForFormResult(page, 'import-vault-form', 'import-status');
  assert.equal(kept.text, 'Nothing was imported: the vault here is unchanged.');
  assert.equal(await page.getByLabel('Passphrase of the exported vault').inputValue(), '', 'the passphrase stayed in the page');
}

/** The options page the worker opens by itself when the extension is installed. */
async function firstRunPage(browser) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = browser.context.pages().find((candidate) => candidate.url().endsWith('/options.html#welcome'));
    if (page !== undefined) {
      await page.setViewportSize({ width: 820, height: 900 });
      await page.locator('#first-run').waitFor();
      return page;
    }
    assert.ok(Date.now() < deadline, 'installing the extension did not open the first-run page');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Records the first busy text status area `id` shows while visible (the progress line for work
 * over 200 ms), however briefly: a MutationObserver sees it even when polling would miss it.
 */
async function watchProgress(page, id) {
  await page.evaluate((statusId) => {
    const target = document.getElementById(statusId);
    globalThis.progressText = '';
    new MutationObserver(() => {
      if (target.dataset.kind === 'busy' && target.checkVisibility() && globalThis.progressText === '') {
        globalThis.progressText = target.textContent;
      }
    }).observe(target, { attributes: true, childList: true, characterData: true, subtree: true });
  }, id);
}

function progressSeen(page) {
  return page.evaluate(() => globalThis.progressText);
}

/** First-run step 1 through the form: checks, progress over 200 ms, and the KDF cost shown. */
async function createVaultOnFirstRun(page, passphrase) {
  const form = page.locator('#first-vault-form');
  assert.match(await page.locator('#first-kdf').innerText(), /Argon2id, 64 MiB of memory, 3 passes, 4 lanes/);
  await form.getByLabel('Passphrase', { exact: true }).fill('short');
  assert.equal(await page.locator('#first-meter').evaluate((meter) => meter.value), 0);
  await form.getByLabel('Repeat the passphrase').fill('short');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await page.locator('#first-vault-status[data-kind="error"]').filter({ hasText: 'at least 8 characters' }).waitFor();
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  assert.equal(await page.locator('#first-meter').evaluate((meter) => meter.value), 3);
  assert.equal(await page.locator('#first-strength').innerText(), 'Strength: strong.');
  await form.getByLabel('Repeat the passphrase').fill(`${passphrase}!`);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await page.locator('#first-vault-status[data-kind="error"]').filter({ hasText: 'two passphrases differ' }).waitFor();
  assert.equal((await vaultStatus(page)).exists, false, 'a vault was created from mismatched passphrases');
  await assertNoSeriousViolations(page, 'first run, step 1');
  await page.screenshot({ path: screenshotPath('options-first-run-1-vault.png'), fullPage: true });

  await form.getByLabel('Repeat the passphrase').fill(passphrase);
  await watchProgress(page, 'first-vault-status');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await page.locator('#first-signer-step').waitFor();
  assert.match(await progressSeen(page), /^Creating the vault: deriving its key/, 'no progress shown while the KDF ran');
  assert.match(await page.locator('#first-created').innerText(), /^Vault created and unlocked \(Argon2id, 64 MiB .* it took \d+\.\d s here/);
  assert.equal(await page.locator('#step-signer').getAttribute('aria-current'), 'step');
  const status = await vaultStatus(page);
  assert.equal(status.exists && status.unlocked, true, JSON.stringify(status));
}

describe('first run, skipping the signer step', { timeout: 120_000 }, () => {
  let browser;
  after(() => cleanUp(() => browser?.close()));

  test('create the vault, skip the signer, done; the rest of the page appears', async () => {
    browser = await launchExtension();
    const page = await firstRunPage(browser);
    assert.equal(await page.locator('#signers').isVisible(), false, 'the signer section shows before the vault exists');
    await createVaultOnFirstRun(page, PASSPHRASE);
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await page.locator('#first-done').filter({ hasText: 'Keysmith is ready' }).waitFor();
    assert.match(await page.locator('#first-done').innerText(), /Add a signer identity on this page whenever you are ready/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'first-done');
    assert.equal(await page.locator('#signers').isVisible(), true);
    await assertNoSeriousViolations(page, 'first run, done');
  });
});

describe('the options page, end to end in Chromium', { timeout: 300_000 }, () => {
  let moto;
  let browser;
  let options;
  let signerId;
  let vaultFileText;

  before(
    async () => {
      moto = await startMoto();
      browser = await launchExtension();
      options = await firstRunPage(browser);
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => moto?.stop()));

  test('first run: create the vault, add an AWS signer verified against moto, done', async () => {
    await createVaultOnFirstRun(options, PASSPHRASE);
    await assertNoSeriousViolations(options, 'first run, step 2');
    await options.screenshot({ path: screenshotPath('options-first-run-2-signer.png'), fullPage: true });
    assert.equal(await options.getByRole('button', { name: 'Finish' }).isVisible(), false, 'Finish before any signer');
    await setEndpoints(options, { aws: moto.endpoint });

    await options.getByRole('link', { name: 'Add an AWS signer' }).click();
    await options.getByLabel('Access key ID').fill(moto.signer.accessKeyId);
    await options.getByLabel('Secret access key').fill(moto.signer.secretAccessKey);
    const added = await submit(options, 'add-aws-signer-form', 'aws-signer-status', 'Verify and add AWS signer');
    assert.equal(added.kind, 'ok', added.text);
    await options.locator('#first-signer-count').filter({ hasText: '1 signer identity added' }).waitFor();
    await options.getByRole('button', { name: 'Finish' }).click();
    await options.locator('#first-done').filter({ hasText: 'Keysmith is ready' }).waitFor();
    await options.screenshot({ path: screenshotPath('options-first-run-3-done.png'), fullPage: true });
    const signers = await sendFromPage(options, { type: 'signers.list' });
    assert.equal(signers.result.signers.length, 1);
    signerId = signers.result.signers[0].id;
    assert.equal(signers.result.signers[0].signer.account, moto.accountId);
  });

  test('the page passes axe in light and dark mode, and works from the keyboard', async () => {
    await options.reload();
    await options.locator('#endpoints-form[data-loaded="true"]').waitFor();
    await assertNoSeriousViolations(options, 'unlocked, light');
    await options.screenshot({ path: screenshotPath('options-light.png'), fullPage: true });
    await options.emulateMedia({ colorScheme: 'dark' });
    await assertNoSeriousViolations(options, 'unlocked, dark');
    await options.screenshot({ path: screenshotPath('options-dark.png'), fullPage: true });
    await options.emulateMedia({ colorScheme: 'light' });

    // Keyboard only: focus the auto-lock field, type, Tab to its button and press Enter.
    await options.getByLabel('Lock the vault after this many idle minutes').focus();
    await options.keyboard.press('Control+A');
    await options.keyboard.type('12');
    await options.keyboard.press('Tab');
    const focused = await options.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, 'Save auto-lock');
    const outline = await options.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows no focus ring');
    await options.keyboard.press('Enter');
    await options.locator('#auto-lock-status[data-kind="ok"]').filter({ hasText: '12 idle minutes' }).waitFor();
    assert.equal((await settings(options)).autoLockMinutes, 12);
  });

  test('auto-lock: saved, and the alarm of the unlocked vault moves to the new time', async () => {
    const field = options.getByLabel('Lock the vault after this many idle minutes');
    await field.fill('0');
    const refused = await options.getByRole('button', { name: 'Save auto-lock' }).click().then(() =>
      options.locator('#auto-lock-status[data-kind="error"]').innerText(),
    );
    assert.equal(refused, 'Enter a whole number of minutes from 1 to 1440.');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal((await settings(options)).autoLockMinutes, 12, 'an invalid value was saved');

    await field.fill('7');
    const before = Date.now();
    await options.getByRole('button', { name: 'Save auto-lock' }).click();
    await options.locator('#auto-lock-status[data-kind="ok"]').filter({ hasText: '7 idle minutes' }).waitFor();
    assert.equal((await settings(options)).autoLockMinutes, 7);
    const alarm = await options.evaluate(() => chrome.alarms.get('keysmith.autolock'));
    assert.ok(alarm !== undefined, 'no auto-lock alarm while unlocked');
    const minutes = (alarm.scheduledTime - before) / 60_000;
    assert.ok(minutes > 6.9 && minutes < 7.2, `the alarm is ${minutes} minutes away, not 7`);
    const status = await vaultStatus(options);
    assert.equal(status.autoLockMinutes, 7);
  });

  test('clipboard timeout: 30 s by default, saved within bounds, refused outside them', async () => {
    assert.equal((await settings(options)).clipboardClearSeconds, 30);
    const field = options.getByLabel('Clear the clipboard this many seconds after a copy');
    assert.equal(await field.inputValue(), '30');
    await field.fill('4');
    await options.getByRole('button', { name: 'Save clipboard timeout' }).click();
    await options.locator('#clipboard-status[data-kind="error"]').filter({ hasText: 'from 5 to 600' }).waitFor();
    assert.equal((await settings(options)).clipboardClearSeconds, 30);
    await field.fill('45');
    await options.getByRole('button', { name: 'Save clipboard timeout' }).click();
    await options.locator('#clipboard-status[data-kind="ok"]').filter({ hasText: '45 seconds' }).waitFor();
    assert.equal((await settings(options)).clipboardClearSeconds, 45);
    const bad = await sendFromPage(options, { type: 'settings.set', clipboardClearSeconds: 601 });
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'bad_request');
  });

  test('default region and key type: saved, and preselected in a newly opened popup', async () => {
    await options.getByLabel('Default AWS region').selectOption('eu-west-3');
    await options.getByLabel('Default EC2 key type').selectOption('rsa');
    await options.getByRole('button', { name: 'Save defaults' }).click();
    await options.locator('#defaults-status[data-kind="ok"]').filter({ hasText: 'eu-west-3, as RSA' }).waitFor();
    const saved = await settings(options);
    assert.equal(saved.defaultRegion, 'eu-west-3');
    assert.equal(saved.defaultEc2KeyType, 'rsa');

    const fresh = await openPopup(browser);
    try {
      await fresh.waitForFunction(() => document.querySelector('#ec2-region')?.value === 'eu-west-3');
      assert.equal(await fresh.locator('#ec2-key-type').inputValue(), 'rsa');
      await fresh.screenshot({ path: screenshotPath('options-defaults-in-popup.png'), fullPage: true });
    } finally {
      await fresh.close();
    }
    for (const message of [
      { type: 'settings.set', defaultRegion: 'mars-north-1' },
      { type: 'settings.set', defaultEc2KeyType: 'dsa' },
    ]) {
      const reply = await sendFromPage(options, message);
      assert.equal(reply.ok, false, JSON.stringify(message));
      assert.equal(reply.error.code, 'bad_request');
    }
  });

  test('custom endpoints: validated, permission held, checked, and used by the worker', async () => {
    const aws = options.getByLabel('AWS endpoint (STS, IAM, EC2 and Secrets Manager)');
    await aws.fill('https://example.com/some/path');
    const refused = await submit(options, 'endpoints-form', 'endpoints-status', 'Save endpoints');
    assert.equal(refused.kind, 'error');
    assert.match(refused.text, /must not contain a path.*Example: http:\/\/127\.0\.0\.1:5000/s);
    assert.equal(await aws.getAttribute('aria-invalid'), 'true');
    assert.equal((await settings(options)).endpoints.aws, moto.endpoint, 'an invalid endpoint was saved');

    // A free port, so nothing listens there: saved, with a warning.
    const silent = `http://127.0.0.1:${await findFreePort()}`;
    const warned = await setEndpoints(options, { aws: silent });
    assert.equal(warned.errorCode, 'endpoint_unreachable', warned.text);
    assert.match(warned.text, /nothing answers at http:\/\/127\.0\.0\.1:\d+ .*Check that it is running/s);

    // A slow endpoint: the check takes over 200 ms, so the page shows that it is checking.
    const slow = createServer((request, response) => {
      setTimeout(() => response.writeHead(404).end(), 700);
    });
    await new Promise((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      await options.getByLabel('AWS endpoint (STS, IAM, EC2 and Secrets Manager)').fill(`http://127.0.0.1:${slow.address().port}`);
      await watchProgress(options, 'endpoints-status');
      const checked = await submit(options, 'endpoints-form', 'endpoints-status', 'Save endpoints');
      assert.equal(checked.kind, 'ok', checked.text);
      assert.match(checked.fields['AWS check'], /answered \(HTTP 404\)$/);
      assert.equal(await progressSeen(options), 'Saving and checking the endpoints…');
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }

    const saved = await setEndpoints(options, { aws: moto.endpoint });
    assert.equal(saved.kind, 'ok', saved.text);
    assert.equal(saved.fields.AWS, moto.endpoint);
    assert.match(saved.fields['AWS check'], /answered \(HTTP \d{3}\)/);
    const held = await options.evaluate(() => chrome.permissions.contains({ origins: ['http://127.0.0.1/*'] }));
    assert.equal(held, true, 'the host permission for the endpoint is not held');

    // The worker uses it: only moto knows this signer's key.
    const identity = await sendFromPage(options, { type: 'aws.getCallerIdentity', signerId });
    assert.equal(identity.ok, true, JSON.stringify(identity));
    assert.equal(identity.result.account, moto.accountId);
  });

  test('two options windows saving at once end with both changes', async () => {
    const second = await openOptions(browser);
    try {
      await second.locator('#endpoints-form[data-loaded="true"]').waitFor();
      await options.getByLabel('Lock the vault after this many idle minutes').fill('20');
      await second.getByLabel('Clear the clipboard this many seconds after a copy').fill('90');
      await Promise.all([
        options.getByRole('button', { name: 'Save auto-lock' }).click(),
        second.getByRole('button', { name: 'Save clipboard timeout' }).click(),
      ]);
      await options.locator('#auto-lock-status[data-kind="ok"]').filter({ hasText: '20 idle' }).waitFor();
      await second.locator('#clipboard-status[data-kind="ok"]').filter({ hasText: '90 seconds' }).waitFor();
      // Harder than two clicks: interleaved messages from both windows, each changing its own field.
      await Promise.all([
        ...[21, 22, 23, 24, 25].map((m) => sendFromPage(options, { type: 'settings.set', autoLockMinutes: m })),
        ...[91, 92, 93, 94, 95].map((s) => sendFromPage(second, { type: 'settings.set', clipboardClearSeconds: s })),
        sendFromPage(second, { type: 'settings.set', defaultRegion: 'eu-central-1' }),
      ]);
      const final = await settings(options);
      assert.equal(final.autoLockMinutes, 25);
      assert.equal(final.clipboardClearSeconds, 95);
      assert.equal(final.defaultRegion, 'eu-central-1');
      assert.equal(final.endpoints.aws, moto.endpoint);
      // Both windows show what is stored, not what they last sent.
      for (const page of [options, second]) {
        await page.waitForFunction(
          () =>
            document.querySelector('#auto-lock-minutes')?.value === '25' &&
            document.querySelector('#clipboard-seconds')?.value === '95' &&
            document.querySelector('#default-region')?.value === 'eu-central-1',
        );
      }
    } finally {
      await second.close();
    }
  });

  test('change passphrase: the current one is checked, progress shows, then only the new one unlocks', async () => {
    await options.reload();
    const form = options.locator('#change-passphrase-form');
    await form.getByLabel('Current passphrase', { exact: true }).fill('not the passphrase');
    await form.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await form.getByLabel('Repeat the new passphrase').fill(NEW_PASSPHRASE);
    assert.equal(await options.locator('#changed-meter').evaluate((meter) => meter.value), 3);
    const wrong = await submit(options, 'change-passphrase-form', 'change-passphrase-status', 'Change passphrase');
    assert.equal(wrong.kind, 'error');
    assert.equal(wrong.errorCode, 'wrong_passphrase');
    assert.match(wrong.text, /current passphrase is wrong, so nothing was changed/);

    await form.getByLabel('Repeat the new passphrase').fill('something else entirely');
    await form.getByLabel('Current passphrase', { exact: true }).fill(PASSPHRASE);
    const differ = await submit(options, 'change-passphrase-form', 'change-passphrase-status', 'Change passphrase');
    assert.match(differ.text, /two new passphrases differ/);

    await form.getByLabel('Repeat the new passphrase').fill(NEW_PASSPHRASE);
    await options.locator('#change-passphrase-status').evaluate((status) => delete status.dataset.kind);
    await watchProgress(options, 'change-passphrase-status');
    await options.getByRole('button', { name: 'Change passphrase' }).click();
    const changed = await waitForFormResult(options, 'change-passphrase-form', 'change-passphrase-status');
    // Two Argon2id derivations take well over 200 ms: the progress line must have shown.
    assert.match(await progressSeen(options), /^Changing the passphrase: checking the current one/);
    assert.equal(changed.kind, 'ok', changed.text);
    assert.equal(await form.getByLabel('Current passphrase', { exact: true }).inputValue(), '', 'the passphrase stayed in the form');

    assert.equal((await sendFromPage(options, { type: 'vault.lock' })).ok, true);
    const old = await sendFromPage(options, { type: 'vault.unlock', passphrase: PASSPHRASE });
    assert.equal(old.ok, false);
    assert.equal(old.error.code, 'wrong_passphrase');
    const fresh = await sendFromPage(options, { type: 'vault.unlock', passphrase: NEW_PASSPHRASE });
    assert.equal(fresh.ok, true, JSON.stringify(fresh));
  });

  test('export: the vault file holds the header and sealed entries, never a secret', async () => {
    const pasted = await sendFromPage(options, {
      type: 'vault.import',
      text: `export AWS_ACCESS_KEY_ID=${PASTED_KEY_ID}\nexport AWS_SECRET_ACCESS_KEY=${PASTED_SECRET}\n`,
    });
    assert.equal(pasted.ok, true, JSON.stringify(pasted));
    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.getByRole('button', { name: 'Export vault file' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^keysmith-vault-\d{4}-\d{2}-\d{2}\.json$/);
    vaultFileText = readFileSync(await download.path(), 'utf8');
    await options.locator('#export-status[data-kind="ok"]').waitFor();
    const file = JSON.parse(vaultFileText);
    const stored = await options.evaluate(() => chrome.storage.local.get(null));
    assert.equal(file.keysmith, 'vault-file');
    assert.equal(file.header, stored['keysmith.vault']);
    const storedEntries = Object.fromEntries(Object.entries(stored).filter(([key]) => key.startsWith('keysmith.entry.')));
    assert.deepEqual(file.entries, storedEntries);
    assert.equal(Object.keys(file.entries).length, 2, 'the pasted key and the signer');
    for (const secret of [PASTED_SECRET, moto.signer.secretAccessKey]) {
      assert.equal(vaultFileText.includes(secret), false, 'a secret is in the vault file');
    }

    assert.equal((await sendFromPage(options, { type: 'vault.lock' })).ok, true);
    const locked = await sendFromPage(options, { type: 'vault.exportFile' });
    assert.equal(locked.error?.code, 'locked', 'a locked vault was exported');
    await options.locator('#options-unlock-form').waitFor();
    await assertNoSeriousViolations(options, 'locked');
    await options.emulateMedia({ colorScheme: 'dark' });
    await assertNoSeriousViolations(options, 'locked, dark');
    await options.emulateMedia({ colorScheme: 'light' });
    assert.equal((await sendFromPage(options, { type: 'vault.unlock', passphrase: NEW_PASSPHRASE })).ok, true);
  });

  test('import into a fresh profile: tampered and cut-short files are refused, then the same entries unlock there', async () => {
    assert.ok(vaultFileText !== undefined, 'the export test did not run');
    const expected = await entryIds(options);
    const other = await launchExtension();
    try {
      // The new browser opens the first run, which offers the import instead of a new vault.
      const page = await firstRunPage(other);
      assert.equal((await vaultStatus(page)).exists, false);
      await page.getByRole('link', { name: 'Import your vault file' }).click();
      assert.equal(await page.getByRole('button', { name: 'Import vault file' }).isVisible(), true);

      const file = JSON.parse(vaultFileText);
      const [firstKey, firstValue] = Object.entries(file.entries)[0];
      const middle = Math.floor(firstValue.length / 2);
      const flipped = firstValue[middle] === 'A' ? 'B' : 'A';
      const tampered = JSON.stringify({
        ...file,
        entries: { ...file.entries, [firstKey]: firstValue.slice(0, middle) + flipped + firstValue.slice(middle + 1) },
      });
      const attempts = [
        { text: tampered, passphrase: NEW_PASSPHRASE, code: 'bad_vault_file', says: /1 of the 2 entries .* cannot be opened/ },
        { text: vaultFileText.slice(0, Math.floor(vaultFileText.length * 0.6)), passphrase: NEW_PASSPHRASE, code: 'bad_vault_file', says: /not a complete Keysmith vault file/ },
        { text: vaultFileText, passphrase: PASSPHRASE, code: 'wrong_passphrase', says: /not the passphrase of the exported vault/ },
      ];
      for (const attempt of attempts) {
        const result = await importVaultFile(page, attempt.text, attempt.passphrase);
        assert.equal(result.kind, 'error', result.text);
        assert.equal(result.errorCode, attempt.code, result.text);
        assert.match(result.text, attempt.says);
        assert.match(result.text, /nothing was imported/i);
        const storage = await page.evaluate(() => chrome.storage.local.get(null));
        assert.deepEqual(
          Object.keys(storage).filter((key) => key.startsWith('keysmith.')),
          [],
          'a refused import left something behind',
        );
      }
      await page.screenshot({ path: screenshotPath('options-import-refused.png'), fullPage: true });

      await watchProgress(page, 'import-status');
      const imported = await importVaultFile(page, vaultFileText, NEW_PASSPHRASE);
      assert.equal(imported.kind, 'ok', imported.text);
      assert.match(await progressSeen(page), /^Checking the vault file: opening every entry/);
      await page.locator('#first-created').filter({ hasText: 'The vault is set up and unlocked.' }).waitFor();
      await page.locator('#first-signer-count').filter({ hasText: '1 signer identity added' }).waitFor();
      await page.screenshot({ path: screenshotPath('options-imported.png'), fullPage: true });
      assert.equal(imported.fields.Entries, '2');
      assert.deepEqual(await entryIds(page), expected);
      // Locked and unlocked again with the passphrase, as a person on the other browser would.
      assert.equal((await sendFromPage(page, { type: 'vault.lock' })).ok, true);
      const unlocked = await sendFromPage(page, { type: 'vault.unlock', passphrase: NEW_PASSPHRASE });
      assert.equal(unlocked.ok, true, JSON.stringify(unlocked));
      assert.deepEqual(await entryIds(page), expected);

      // A vault exists now: the page asks first; "keep" changes nothing, a tampered file with
      // "replace" is refused and leaves the vault as it was (still unlocked).
      const before = await page.evaluate(() => chrome.storage.local.get(null));
      const kept = await importVaultFile(page, vaultFileText, NEW_PASSPHRASE, { replace: false });
      assert.equal(kept.text, 'Nothing was imported: the vault here is unchanged.');
      const filePassphrase = page.getByLabel('Passphrase of the exported vault');
      assert.equal(await filePassphrase.inputValue(), '', 'the passphrase stayed in the page after "keep"');
      // From the keyboard: the question takes the focus, and Escape keeps the vault.
      await filePassphrase.fill(NEW_PASSPHRASE);
      await page.locator('#import-status').evaluate((status) => delete status.dataset.kind);
      await page.getByRole('button', { name: 'Import vault file' }).click();
      await page.locator('#replace-confirm').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'replace-vault');
      await page.keyboard.press('Escape');
      const escaped = await waitForFormResult(page, 'import-vault-form', 'import-status');
      assert.equal(escaped.text, 'Nothing was imported: the vault here is unchanged.');
      assert.deepEqual(await page.evaluate(() => chrome.storage.local.get(null)), before);
      await page.getByLabel('Vault file', { exact: true }).setInputFiles({ name: 'tampered.json', mimeType: 'application/json', buffer: Buffer.from(tampered) });
      await filePassphrase.fill(NEW_PASSPHRASE);
      await page.getByRole('button', { name: 'Import vault file' }).click();
      await page.locator('#replace-confirm').filter({ hasText: 'already has a vault with 2 entries' }).waitFor();
      // Just imported: the vault equals the file, so nothing would be lost and nothing is offered.
      assert.match(
        await page.locator('#replace-confirm-text').innerText(),
        /with 2 entries, all of them as they were when this vault was imported from a vault file \(on .+\): none is missing from that file\. Importing tampered\.json replaces the vault;/,
      );
      assert.equal(await page.getByRole('button', { name: 'Export this vault first' }).isVisible(), false);
      await page.screenshot({ path: screenshotPath('options-import-confirm.png'), fullPage: true });
      await assertNoSeriousViolations(page, 'replace confirmation');
      await page.locator('#import-status').evaluate((status) => delete status.dataset.kind);
      await page.getByRole('button', { name: 'Replace the vault here' }).click();
      const refused = await waitForFormResult(page, 'import-vault-form', 'import-status');
      assert.equal(refused.errorCode, 'bad_vault_file', refused.text);
      assert.equal(await filePassphrase.inputValue(), '', 'the passphrase stayed in the page after a refused import');
      assert.deepEqual(await page.evaluate(() => chrome.storage.local.get(null)), before);
      assert.equal((await vaultStatus(page)).unlocked, true, 'a refused import locked the vault');
      assert.deepEqual(await entryIds(page), expected);
    } finally {
      await other.close();
    }
  });

  test('replace: the question counts what no vault file holds; "Export this vault first" brings it to 0; the replace works', async () => {
    assert.ok(vaultFileText !== undefined, 'the export test did not run');
    await options.reload();
    await options.locator('#endpoints-form[data-loaded="true"]').waitFor();
    const olderFile = JSON.parse(vaultFileText);
    const older = 'older-vault.json';

    // Right after the export: every entry is in that file.
    const exported = await replaceQuestion(options, vaultFileText, NEW_PASSPHRASE, older);
    assert.deepEqual({ ...exported.state, lastFile: exported.state.lastFile?.how }, {
      exists: true, entryCount: 2, lastFile: 'exported', added: 0, changed: 0, addedSigners: 0,
    });
    assert.match(exported.text, /^This browser already has a vault with 2 entries, all of them as they were at your last vault-file export \(on .+\): none is missing from that file\. Importing older-vault\.json replaces the vault; importing that file again brings them back/);
    assert.equal(exported.offersExport, false);
    assert.equal(exported.focused, 'replace-vault', 'the question did not take the focus');
    await keepWithEscape(options);

    // A key created at the provider and a key pasted in since: in no vault file.
    const created = await sendFromPage(options, { type: 'aws.createAccessKey', signerId });
    assert.equal(created.ok, true, JSON.stringify(created));
    const pasted = await sendFromPage(options, {
      type: 'vault.import',
      text: `export AWS_ACCESS_KEY_ID=AKIAOPTIONSTEST00002\nexport AWS_SECRET_ACCESS_KEY=${PASTED_SECRET.replace(/1$/, '2')}\n`,
    });
    assert.equal(pasted.ok, true, JSON.stringify(pasted));
    const atRisk = await replaceQuestion(options, vaultFileText, NEW_PASSPHRASE, older);
    assert.deepEqual({ ...atRisk.state, lastFile: atRisk.state.lastFile?.how }, {
      exists: true, entryCount: 4, lastFile: 'exported', added: 2, changed: 0, addedSigners: 0,
    });
    assert.match(atRisk.text, /^This browser already has a vault with 4 entries; 2 of them were added after your last vault-file export \(on .+\) and exist nowhere else\. Importing older-vault\.json replaces the vault: those entries are lost, though their keys stay active at the provider\. Export this vault first, or keep it\.$/);
    assert.equal(atRisk.offersExport, true);
    assert.equal(atRisk.focused, 'replace-vault');
    await assertNoSeriousViolations(options, 'replace question, entries at risk');
    await options.screenshot({ path: screenshotPath('options-import-confirm-at-risk.png'), fullPage: true });
    await keepWithEscape(options);

    // Locked, the counts stand (which entries are signers is sealed, so that one is unknown).
    assert.equal((await sendFromPage(options, { type: 'vault.lock' })).ok, true);
    const locked = await sendFromPage(options, { type: 'vault.fileState' });
    assert.deepEqual({ ...locked.result, lastFile: locked.result.lastFile?.how }, {
      exists: true, entryCount: 4, lastFile: 'exported', added: 2, changed: 0, addedSigners: null,
    });
    assert.equal((await sendFromPage(options, { type: 'vault.unlock', passphrase: NEW_PASSPHRASE })).ok, true);

    // An unreadable record of the last export counts as none: every entry is at risk.
    await options.evaluate(() => chrome.storage.local.set({ 'keysmith.lastVaultFile': { vaultId: 'not hex', atMs: 1, how: 'exported', entries: {} } }));
    const never = await replaceQuestion(options, vaultFileText, NEW_PASSPHRASE, older);
    assert.equal(never.state.lastFile, null);
    assert.equal(never.state.added, 4);
    assert.match(never.text, /^This browser already has a vault with 4 entries; it was never exported as a vault file, so all 4 \(one of them a signer identity\) exist nowhere else\. Importing older-vault\.json replaces the vault: those entries are lost/);
    assert.equal(never.offersExport, true);

    // "Export this vault first", from the keyboard: a file with all 4, then nothing is at risk.
    await options.getByRole('button', { name: 'Export this vault first' }).focus();
    const [download] = await Promise.all([options.waitForEvent('download'), options.keyboard.press('Enter')]);
    const newFile = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const stored = await options.evaluate(() => chrome.storage.local.get(null));
    assert.deepEqual(newFile.entries, Object.fromEntries(Object.entries(stored).filter(([key]) => key.startsWith('keysmith.entry.'))));
    assert.equal(Object.keys(newFile.entries).length, 4);
    await options.locator('#replace-confirm-text').filter({ hasText: 'none is missing from that file' }).waitFor();
    assert.match(await options.locator('#replace-export-status').innerText(), /^Exported keysmith-vault-\d{4}-\d{2}-\d{2}\.json\./);
    assert.equal(await options.getByRole('button', { name: 'Export this vault first' }).isVisible(), false);
    assert.equal(await options.evaluate(() => document.activeElement?.id), 'replace-confirm-text', 'the updated question did not take the focus');
    const after = await sendFromPage(options, { type: 'vault.fileState' });
    assert.deepEqual([after.result.entryCount, after.result.added, after.result.changed], [4, 0, 0]);
    await assertNoSeriousViolations(options, 'replace question after exporting');

    // The replace itself: the older file's entries only, recorded as the vault's last file.
    await options.locator('#import-status').evaluate((status) => delete status.dataset.kind);
    await options.getByRole('button', { name: 'Replace the vault here' }).click();
    const replaced = await waitForFormResult(options, 'import-vault-form', 'import-status');
    assert.equal(replaced.kind, 'ok', replaced.text);
    assert.equal(replaced.fields.Entries, '2');
    assert.equal(await options.getByLabel('Passphrase of the exported vault').inputValue(), '');
    const storedAfter = await options.evaluate(() => chrome.storage.local.get(null));
    assert.deepEqual(
      Object.keys(storedAfter).filter((key) => key.startsWith('keysmith.entry.')).sort(),
      Object.keys(olderFile.entries).sort(),
    );
    const imported = await sendFromPage(options, { type: 'vault.fileState' });
    assert.deepEqual({ ...imported.result, lastFile: imported.result.lastFile?.how }, {
      exists: true, entryCount: 2, lastFile: 'imported', added: 0, changed: 0, addedSigners: 0,
    });

    // A signer's MFA device set since: in the file, but as it was before.
    const signers = await sendFromPage(options, { type: 'signers.list' });
    const [signer] = signers.result.signers;
    const mfa = await sendFromPage(options, { type: 'signers.setMfa', signerId: signer.id, mfaSerial: `arn:aws:iam::${moto.accountId}:mfa/options-test` });
    assert.equal(mfa.ok, true, JSON.stringify(mfa));
    const changed = await replaceQuestion(options, vaultFileText, NEW_PASSPHRASE, older);
    assert.deepEqual([changed.state.added, changed.state.changed], [0, 1]);
    assert.match(changed.text, /^This browser already has a vault with 2 entries; 1 entry was changed after this vault was imported from a vault file \(on .+\) \(the file holds the older version\)\. Importing older-vault\.json replaces the vault: that change is lost\. Export this vault first, or keep it\.$/);
    assert.equal(changed.offersExport, true);
    await options.getByRole('button', { name: 'Keep the vault here' }).click();
    await options.locator('#import-status').filter({ hasText: 'Nothing was imported' }).waitFor();
    assert.equal((await sendFromPage(options, { type: 'signers.setMfa', signerId: signer.id, mfaSerial: null })).ok, true);
  });
});
