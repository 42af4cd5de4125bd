// Drives the popup the way a person would: through its labelled fields and buttons.

const RESULT_TIMEOUT_MS = 20_000;

/** Opens "Advanced", saves a custom AWS endpoint and waits for the confirmation. */
export async function setAwsEndpoint(page, endpoint) {
  const advanced = page.locator('#advanced');
  if (!(await advanced.evaluate((details) => details.open))) {
    await page.getByText('Advanced: custom endpoint').click();
  }
  await page.getByLabel('AWS endpoint').fill(endpoint);
  await page.getByRole('button', { name: 'Save endpoint' }).click();
  await page.locator('#endpoint-status[data-kind="ok"]').filter({ hasText: endpoint }).waitFor();
}

export async function fillCredentials(page, { accessKeyId, secretAccessKey, sessionToken = '' }) {
  await page.getByLabel('Access key ID').fill(accessKeyId);
  await page.getByLabel('Secret access key').fill(secretAccessKey);
  await page.getByLabel('Session token').fill(sessionToken);
}

/**
 * Clicks a button and waits until the popup shows a final result (success or error).
 * `fields` holds the result's label → value pairs (e.g. Account → 123456789012).
 * @returns {Promise<{kind: 'ok' | 'error', text: string, errorCode: string | undefined,
 *                    fields: Record<string, string>}>}
 */
export async function clickAndWaitForResult(page, buttonName) {
  await page.getByRole('button', { name: buttonName }).click();
  await page.waitForFunction(
    () => {
      const form = document.getElementById('aws-form');
      const status = document.getElementById('status');
      return (
        form?.getAttribute('aria-busy') !== 'true' &&
        status !== null &&
        !status.hidden &&
        (status.dataset.kind === 'ok' || status.dataset.kind === 'error')
      );
    },
    undefined,
    { timeout: RESULT_TIMEOUT_MS },
  );
  return page.locator('#status').evaluate((status) => {
    const fields = {};
    for (const term of status.querySelectorAll('dt')) {
      const value = term.nextElementSibling;
      fields[term.textContent ?? ''] = value?.tagName === 'DD' ? (value.textContent ?? '') : '';
    }
    return { kind: status.dataset.kind, text: status.innerText, errorCode: status.dataset.errorCode, fields };
  });
}

export async function verifyIdentity(page, credentials) {
  await fillCredentials(page, credentials);
  return clickAndWaitForResult(page, 'Verify identity');
}

export async function createAccessKey(page, credentials, userName) {
  await fillCredentials(page, credentials);
  await page.getByLabel('IAM user name').fill(userName);
  return clickAndWaitForResult(page, 'Create access key for user');
}
