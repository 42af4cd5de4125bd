// Drives the popup's Scaleway section the way a person would: labelled fields and buttons.

import { chooseSigner, setEndpoints, waitForFormResult } from './popup-driver.mjs';

/** Saves a custom Scaleway endpoint on the options page (see setEndpoints). */
export function setScalewayEndpoint(page, endpoint) {
  return setEndpoints(page, { scaleway: endpoint });
}

/** Chooses the vaulted Scaleway signer `accessKey` (added first with signer-driver.mjs). */
export async function fillScalewaySigner(page, { accessKey }) {
  await chooseSigner(page, 'scaleway', accessKey);
}

/**
 * Clicks a Scaleway button and waits for the section's final result.
 * @returns {Promise<{kind: 'ok' | 'error', text: string, errorCode: string | undefined,
 *                    fields: Record<string, string>}>}
 */
export async function clickScaleway(page, buttonName) {
  await page.locator('#scw-status').evaluate((status) => {
    delete status.dataset.kind;
  });
  await page.getByRole('button', { name: buttonName, exact: true }).click();
  return waitForFormResult(page, 'scw-form', 'scw-status');
}

export async function verifyScalewaySigner(page, signer) {
  await fillScalewaySigner(page, signer);
  return clickScaleway(page, 'Verify Scaleway signer');
}

/**
 * Creates a key through the form.
 * options: {for: 'self' | 'application', application?: name (existing), newApplication?: name,
 *           description?, expiry?: option label, expiryDate?: Date (the custom date-time, to the
 *           minute), project?: option label prefix, push?: {region, name}}
 */
export async function createScalewayKey(page, signer, options = {}) {
  if (options.for === 'application') {
    await page.getByRole('radio', { name: 'An IAM application' }).check();
    if (options.newApplication !== undefined) {
      await page.getByLabel('Application', { exact: true }).selectOption({ label: 'New application…' });
      await page.getByLabel('New application name').fill(options.newApplication);
    } else {
      await page.getByLabel('Application', { exact: true }).selectOption({ label: options.application });
    }
  } else {
    await page.getByRole('radio', { name: /Myself/ }).check();
  }
  await page.getByLabel(/^Description/).fill(options.description ?? '');
  if (options.expiryDate !== undefined) {
    await page.getByLabel('Expires').selectOption({ label: 'On a date…' });
    // datetime-local takes the browser's local time, to the minute.
    const local = await page.evaluate((ms) => {
      const date = new Date(ms);
      return new Date(ms - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    }, options.expiryDate.getTime());
    await page.getByLabel('Expiry date and time').fill(local);
  } else {
    await page.getByLabel('Expires').selectOption({ label: options.expiry ?? 'Never' });
  }
  if (options.project !== undefined) {
    const label = await page
      .locator('#scw-project option')
      .evaluateAll((nodes, prefix) => nodes.map((n) => n.textContent).find((t) => t.startsWith(prefix)), options.project);
    await page.getByLabel('Preferred Project for Object Storage').selectOption({ label });
  }
  const push = page.getByLabel('Also store it in Scaleway Secret Manager');
  if (options.push !== undefined) {
    await push.check();
    await page.getByLabel('Secret Manager region').selectOption(options.push.region);
    await page.getByLabel('Secret name').fill(options.push.name);
  } else {
    await push.uncheck();
  }
  await fillScalewaySigner(page, signer);
  return clickScaleway(page, 'Create Scaleway API key');
}
