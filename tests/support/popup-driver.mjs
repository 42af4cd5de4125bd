// Drives the popup the way a person would: through its labelled fields and buttons.
// The passphrases and pasted keys it types are remembered for the leak audit.

import { rememberPastedSecrets, rememberSecret } from './leak-audit.mjs';

const RESULT_TIMEOUT_MS = 20_000;

/**
 * Waits until form `formId` is no longer busy and status area `statusId` shows a final result
 * (success or error), then reads it. `fields` holds the result's label → value pairs.
 * @returns {Promise<{kind: 'ok' | 'error', text: string, errorCode: string | undefined,
 *                    fields: Record<string, string>}>}
 */
export async function waitForFormResult(page, formId, statusId, timeout = RESULT_TIMEOUT_MS) {
  await page.waitForFunction(
    ([formId, statusId]) => {
      const form = document.getElementById(formId);
      const status = document.getElementById(statusId);
      return (
        form?.getAttribute('aria-busy') !== 'true' &&
        status !== null &&
        !status.hidden &&
        (status.dataset.kind === 'ok' || status.dataset.kind === 'error')
      );
    },
    [formId, statusId],
    { timeout },
  );
  return page.locator(`#${statusId}`).evaluate((status) => {
    const fields = {};
    for (const term of status.querySelectorAll('dt')) {
      const value = term.nextElementSibling;
      fields[term.textContent ?? ''] = value?.tagName === 'DD' ? (value.textContent ?? '') : '';
    }
    return { kind: status.dataset.kind, text: status.innerText, errorCode: status.dataset.errorCode, fields };
  });
}

/**
 * Clears status area `statusId`, clicks the button named exactly `buttonName` and waits for the
 * final result of form `formId` (see waitForFormResult).
 */
export async function submitForm(page, formId, statusId, buttonName) {
  await page.locator(`#${statusId}`).evaluate((status) => delete status.dataset.kind);
  await page.getByRole('button', { name: buttonName, exact: true }).click();
  return waitForFormResult(page, formId, statusId);
}

/**
 * Runs `run(options)` on the options page, opened next to `page` (any page of the extension) once
 * it has loaded the settings, and closes it again. The vault settings (endpoints, auto-lock, the
 * clipboard timeout, the passphrase) live there only, not in the popup.
 */
export async function withOptionsPage(page, run) {
  const extensionId = new URL(page.url()).host;
  const options = await page.context().newPage();
  try {
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.locator('#endpoints-form[data-loaded="true"]').waitFor();
    return await run(options);
  } finally {
    await options.close();
  }
}

/**
 * Saves custom endpoints the way a person does since they moved out of the popup: on the options
 * page (see withOptionsPage). Only the fields given are typed; the others keep what is saved.
 * Returns the page's result; an endpoint that does not answer is saved with a warning (errorCode
 * endpoint_unreachable), anything else throws.
 */
export function setEndpoints(page, endpoints) {
  return withOptionsPage(page, async (options) => {
    if (endpoints.aws !== undefined) {
      await options.getByLabel('AWS endpoint (STS, IAM, EC2 and Secrets Manager)').fill(endpoints.aws);
    }
    if (endpoints.scaleway !== undefined) {
      await options.getByLabel('Scaleway API endpoint').fill(endpoints.scaleway);
    }
    const result = await submitForm(options, 'endpoints-form', 'endpoints-status', 'Save endpoints');
    if (result.kind === 'error' && result.errorCode !== 'endpoint_unreachable') {
      throw new Error(`saving the endpoints ${JSON.stringify(endpoints)} failed: ${result.text}`);
    }
    return result;
  });
}

/** Saves a custom AWS endpoint on the options page (see setEndpoints). */
export function setAwsEndpoint(page, endpoint) {
  return setEndpoints(page, { aws: endpoint });
}

/**
 * Chooses, in the popup's AWS or Scaleway signer selector, the vaulted signer whose key id is
 * `keyId` (add it first with signer-driver.mjs). Waits for it to be listed.
 */
export async function chooseSigner(page, provider, keyId) {
  const select = page.locator(provider === 'aws' ? '#aws-signer' : '#scw-signer');
  const option = select.locator('option', { hasText: keyId }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption(await option.getAttribute('value'));
}

/**
 * Clicks a button and waits until the popup shows a final result (success or error).
 * `fields` holds the result's label → value pairs (e.g. Account → 123456789012).
 * @returns {Promise<{kind: 'ok' | 'error', text: string, errorCode: string | undefined,
 *                    fields: Record<string, string>}>}
 */
export async function clickAndWaitForResult(page, buttonName) {
  await page.getByRole('button', { name: buttonName }).click();
  return waitForFormResult(page, 'aws-form', 'status');
}

/** Verifies the vaulted AWS signer with access key id `signer.accessKeyId`. */
export async function verifyIdentity(page, signer) {
  await chooseSigner(page, 'aws', signer.accessKeyId);
  return clickAndWaitForResult(page, 'Verify identity');
}

/**
 * Creates an access key for `userName`, signed by the vaulted signer `signer.accessKeyId`; `push`
 * ({region, name}) also ticks "Also store it in AWS Secrets Manager". `timeout` for a result that
 * takes long (a provider timing out).
 */
export async function createAccessKey(page, signer, userName, { push, timeout } = {}) {
  await chooseSigner(page, 'aws', signer.accessKeyId);
  await page.getByLabel('IAM user name').fill(userName);
  const box = page.getByLabel('Also store it in AWS Secrets Manager');
  await box.setChecked(push !== undefined);
  if (push !== undefined) {
    await page.locator('#aws-push-region').selectOption(push.region);
    await page.locator('#aws-push-name').fill(push.name);
  }
  await page.getByRole('button', { name: 'Create access key for user' }).click();
  return waitForFormResult(page, 'aws-form', 'status', timeout);
}

// ----- vault -------------------------------------------------------------------------------------

const KDF_TIMEOUT_MS = 60_000;

/** Waits until the vault panel is idle (no key derivation running) and returns its state. */
async function vaultOutcome(page) {
  await page.waitForFunction(
    () => {
      const progress = document.getElementById('vault-progress');
      const error = document.getElementById('vault-error');
      const state = document.getElementById('vault-state');
      return progress?.hidden === true && (error?.hidden === false || state?.dataset.state === 'unlocked');
    },
    undefined,
    { timeout: KDF_TIMEOUT_MS },
  );
  return page.evaluate(() => {
    const error = document.getElementById('vault-error');
    return {
      ok: error?.hidden !== false,
      error: error?.hidden === false ? error.textContent : undefined,
      errorCode: error?.dataset.errorCode,
      state: document.getElementById('vault-state')?.textContent,
    };
  });
}

/**
 * First run: types the passphrase twice and creates the vault.
 * @returns {Promise<{ok: boolean, error?: string, state: string, ms: number, progressSeen: boolean}>}
 */
export async function createVault(page, passphrase) {
  rememberSecret('vault passphrase (createVault)', passphrase, 'passphrase');
  const form = page.locator('#setup-form');
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByLabel('Repeat passphrase').fill(passphrase);
  const started = Date.now();
  await form.getByRole('button', { name: 'Create vault' }).click();
  const progressSeen = await page.locator('#vault-progress').isVisible();
  const outcome = await vaultOutcome(page);
  return { ...outcome, ms: Date.now() - started, progressSeen };
}

/**
 * Unlocks through the form; with `{keyboard: true}`, by typing the passphrase and pressing Enter.
 * @returns {Promise<{ok: boolean, error?: string, errorCode?: string, state: string, ms: number}>}
 */
export async function unlockVault(page, passphrase, { keyboard = false } = {}) {
  rememberSecret('vault passphrase (unlockVault)', passphrase, 'passphrase');
  const form = page.locator('#unlock-form');
  const field = form.getByLabel('Passphrase', { exact: true });
  const started = Date.now();
  if (keyboard) {
    await field.focus();
    await page.keyboard.type(passphrase);
    await page.keyboard.press('Enter');
  } else {
    await field.fill(passphrase);
    await form.getByRole('button', { name: 'Unlock' }).click();
  }
  const outcome = await vaultOutcome(page);
  return { ...outcome, ms: Date.now() - started };
}

export async function lockVault(page) {
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.locator('#vault-state[data-state="locked"]').waitFor();
}

/** Waits until the vault panel shows the given state: 'none', 'locked' or 'unlocked'. */
export async function waitForVaultState(page, state, timeout = RESULT_TIMEOUT_MS) {
  await page.locator(`#vault-state[data-state="${state}"]`).waitFor({ timeout });
}

/**
 * The entries the popup lists, as the user sees them.
 * @returns {Promise<{storageKey: string, id: string, title: string, text: string, fields: Record<string,string>}[]>}
 */
export async function listedEntries(page) {
  return page.locator('#entry-list > li').evaluateAll((items) =>
    items.map((li) => {
      const fields = {};
      for (const term of li.querySelectorAll('.entry-meta dt')) {
        fields[term.textContent ?? ''] = term.nextElementSibling?.textContent ?? '';
      }
      return {
        storageKey: li.dataset.storageKey,
        id: li.dataset.entryId,
        title: li.querySelector('.entry-title')?.textContent ?? '',
        text: li.innerText,
        fields,
      };
    }),
  );
}

function entryRow(page, title) {
  return page.locator('#entry-list > li').filter({ has: page.locator('.entry-title', { hasText: title }) });
}

/** Picks an export format for an entry (by its title, e.g. the access key id) and returns the text shown. */
export async function exportEntry(page, title, formatLabel, profile = 'default') {
  await page.getByLabel('Profile name for exports').fill(profile);
  const row = entryRow(page, title);
  const panel = row.locator('.export-panel');
  if (await panel.isVisible()) {
    await panel.getByRole('button', { name: 'Hide' }).click();
  }
  await row.getByLabel(`Export format for ${title}`).selectOption({ label: formatLabel });
  await row.getByRole('button', { name: `Export ${title}` }).click();
  const output = panel.locator('textarea');
  await output.waitFor();
  await page.waitForFunction((el) => el.value !== '', await output.elementHandle());
  return output.inputValue();
}

/** Deletes an entry through the confirmation step. */
export async function deleteEntry(page, title) {
  const row = entryRow(page, title);
  await row.getByRole('button', { name: `Delete ${title}` }).click();
  await row.getByRole('group', { name: `Confirm deleting ${title}` }).getByRole('button', { name: 'Delete entry' }).click();
  await page.locator('#undo-bar').waitFor();
  await entryRow(page, title).waitFor({ state: 'detached' });
}

/**
 * Pastes text into "Import keys" and imports it.
 * @returns {Promise<{kind: string, text: string, line?: string, errorCode?: string}>}
 */
export async function importText(page, text) {
  rememberPastedSecrets('pasted into Import keys', text);
  const section = page.locator('#import-section');
  if (!(await section.evaluate((details) => details.open))) {
    await section.locator('summary').click();
  }
  await page.getByLabel(/^Paste a console access-key CSV/).fill(text);
  await page.locator('#import-status').evaluate((status) => delete status.dataset.kind);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-status[data-kind="ok"], #import-status[data-kind="error"]').waitFor();
  return page.locator('#import-status').evaluate((status) => ({
    kind: status.dataset.kind,
    text: status.textContent,
    line: status.dataset.line,
    errorCode: status.dataset.errorCode,
  }));
}

/** Sets the auto-lock time on the options page (see withOptionsPage) and waits for the confirmation. */
export function setAutoLockMinutes(page, minutes) {
  return withOptionsPage(page, async (options) => {
    await options.getByLabel('Lock the vault after this many idle minutes').fill(String(minutes));
    const result = await submitForm(options, 'auto-lock-form', 'auto-lock-status', 'Save auto-lock');
    if (result.kind !== 'ok') {
      throw new Error(`saving auto-lock ${minutes} failed: ${result.text}`);
    }
  });
}

/** Sets the clipboard timeout on the options page (see withOptionsPage) and waits for the confirmation. */
export function setClipboardClearSeconds(page, seconds) {
  return withOptionsPage(page, async (options) => {
    await options.getByLabel('Clear the clipboard this many seconds after a copy').fill(String(seconds));
    const result = await submitForm(options, 'clipboard-form', 'clipboard-status', 'Save clipboard timeout');
    if (result.kind !== 'ok') {
      throw new Error(`saving the clipboard timeout ${seconds} failed: ${result.text}`);
    }
  });
}

/**
 * Changes the passphrase on the options page (see withOptionsPage): typed current passphrase,
 * new one twice. Returns the form's result ({kind, text, errorCode}); the fields are checked empty.
 */
export function changePassphrase(page, current, next) {
  rememberSecret('vault passphrase (changePassphrase, current)', current, 'passphrase');
  rememberSecret('vault passphrase (changePassphrase, new)', next, 'passphrase');
  return withOptionsPage(page, async (options) => {
    const form = options.locator('#change-passphrase-form');
    await form.getByLabel('Current passphrase', { exact: true }).fill(current);
    await form.getByLabel('New passphrase', { exact: true }).fill(next);
    await form.getByLabel('Repeat the new passphrase').fill(next);
    await options.locator('#change-passphrase-status').evaluate((status) => delete status.dataset.kind);
    await options.getByRole('button', { name: 'Change passphrase', exact: true }).click();
    // Two Argon2id derivations (check the current passphrase, derive the new key): allow time.
    const result = await waitForFormResult(options, 'change-passphrase-form', 'change-passphrase-status', 60_000);
    return { ...result, currentLeft: await form.getByLabel('Current passphrase', { exact: true }).inputValue() };
  });
}

// ----- EC2 key pairs -------------------------------------------------------------------------------

/**
 * Chooses the signer, fills the EC2 form, clicks "Create key pair" and waits for the result.
 * @returns {Promise<{kind: 'ok' | 'error', text: string, errorCode: string | undefined,
 *                    fields: Record<string, string>}>}
 */
export async function createKeyPair(page, signer, { region, keyName, keyType = 'ed25519', keyFormat = 'pem' }) {
  await chooseSigner(page, 'aws', signer.accessKeyId);
  await page.getByLabel('Region', { exact: true }).selectOption(region);
  await page.getByLabel('Key pair name').fill(keyName);
  await page.getByLabel('Key type').selectOption(keyType);
  await page.getByLabel('Private key format').selectOption(keyFormat);
  await page.locator('#ec2-status').evaluate((status) => delete status.dataset.kind);
  await page.getByRole('button', { name: 'Create key pair' }).click();
  return waitForFormResult(page, 'ec2-form', 'ec2-status');
}

// ----- unfinished AWS work (pending creates, rotations) ---------------------------------------------

/**
 * Chooses the vaulted signer `signer.accessKeyId`, clicks a button of the "Unfinished AWS work"
 * panel (by its accessible name) and waits for the panel's result line.
 * @returns {Promise<{kind: 'ok' | 'error', code: string | undefined, text: string}>}
 */
export async function unfinishedAction(page, signer, buttonName) {
  await chooseSigner(page, 'aws', signer.accessKeyId);
  await page.locator('#unfinished-status').evaluate((status) => delete status.dataset.kind);
  await page.getByRole('button', { name: buttonName }).click();
  await page
    .locator('#unfinished-status[data-kind="ok"], #unfinished-status[data-kind="error"]')
    .waitFor({ timeout: RESULT_TIMEOUT_MS });
  return page
    .locator('#unfinished-status')
    .evaluate((status) => ({ kind: status.dataset.kind, code: status.dataset.errorCode, text: status.textContent }));
}

/** Deletes an orphan the check listed, through its confirmation; returns the panel's result line. */
export async function deleteOrphan(page, signer, accessKeyId) {
  await page.getByRole('button', { name: `Delete orphan ${accessKeyId} in IAM` }).click();
  await chooseSigner(page, 'aws', signer.accessKeyId);
  await page.locator('#unfinished-status').evaluate((status) => delete status.dataset.kind);
  await page
    .getByRole('group', { name: `Confirm deleting orphan ${accessKeyId}` })
    .getByRole('button', { name: 'Delete key' })
    .click();
  await page.locator('#unfinished-status[data-kind="ok"]').filter({ hasText: 'all in the vault' }).waitFor();
  return page.locator('#unfinished-status').innerText();
}

/** Starts a create for `userName` through the AWS form without waiting for its result. */
export async function clickCreateAccessKey(page, signer, userName) {
  await chooseSigner(page, 'aws', signer.accessKeyId);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByRole('button', { name: 'Create access key for user' }).click();
}
