// Signer identities for the end-to-end tests: added the way a person adds them, on the options
// page (verified with the provider before they are saved), then chosen by id in messages.
// Every test that needs a signer adds it with these helpers.

import assert from 'node:assert/strict';
import { sendFromPage } from './browser.mjs';
import { createVault, setAwsEndpoint, submitForm as submit } from './popup-driver.mjs';

/** Opens the options page in a tab and waits until it has asked the worker for the vault state. */
export async function openOptions(browser) {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/options.html`);
  await page.locator('#options-vault-state').filter({ hasNotText: 'checking' }).waitFor();
  return page;
}

/** The id of the signer whose access key (AWS) or access key (Scaleway) is `keyId`, if any. */
export async function signerIdFor(page, keyId) {
  const reply = await sendFromPage(page, { type: 'signers.list' });
  if (!reply.ok) {
    throw new Error(`signers.list failed: ${JSON.stringify(reply.error)}`);
  }
  return reply.result.signers.find((signer) => signer.keyId === keyId)?.id;
}

/**
 * Adds an AWS signer on the options page: the typed fields, or `text` pasted instead.
 * Returns the page's result ({kind, text, errorCode, fields}) and, on success, the signer id.
 * `keepOpen` returns the options page too (the caller closes it).
 */
export async function addAwsSigner(browser, credentials, { mfaSerial = '', text, keepOpen = false } = {}) {
  const page = await openOptions(browser);
  try {
    if (text !== undefined) {
      await page.getByLabel(/^Paste /).fill(text);
    } else {
      await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
      await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
      await page.getByLabel(/^Session token/).fill(credentials.sessionToken ?? '');
      await page.getByLabel(/^Expires/).fill(credentials.expiration ?? '');
    }
    await page.getByLabel(/^MFA device \(requires MFA/).fill(mfaSerial);
    const result = await submit(page, 'add-aws-signer-form', 'aws-signer-status', 'Verify and add AWS signer');
    const signerId = result.kind === 'ok' ? await signerIdFor(page, result.fields['Access key ID']) : undefined;
    return keepOpen ? { ...result, signerId, page } : { ...result, signerId };
  } finally {
    if (!keepOpen) {
      await page.close();
    }
  }
}

/** Adds a Scaleway signer on the options page; returns the result and, on success, its id. */
export async function addScalewaySigner(browser, { accessKey, secretKey }) {
  const page = await openOptions(browser);
  try {
    await page.getByLabel('Scaleway access key').fill(accessKey);
    await page.getByLabel('Scaleway secret key').fill(secretKey);
    const result = await submit(page, 'add-scw-signer-form', 'scw-signer-status', 'Verify and add Scaleway signer');
    const signerId = result.kind === 'ok' ? await signerIdFor(page, accessKey) : undefined;
    return { ...result, signerId };
  } finally {
    await page.close();
  }
}

/**
 * What most AWS suites start with, in the popup `popup`: the AWS endpoint pointed at `endpoint`
 * (moto, or a proxy in front of it), a new vault, and `signer` added as a vaulted AWS signer.
 * Returns the signer's id. Throws (failing the suite's `before`) if any step does not succeed.
 */
export async function setUpAwsSigner(browser, popup, { endpoint, passphrase, signer }) {
  await setAwsEndpoint(popup, endpoint);
  const vault = await createVault(popup, passphrase);
  assert.equal(vault.ok, true, vault.error);
  const added = await addAwsSigner(browser, signer);
  assert.equal(added.kind, 'ok', added.text);
  return added.signerId;
}
