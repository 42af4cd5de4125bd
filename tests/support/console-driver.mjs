// Drives the console fixtures (tests/fixtures/console/) in real Chromium: serves them on the real
// console hosts through Playwright's request routing (so the shipped manifest's content-script
// matches apply unchanged), and reaches into Keysmith's closed shadow roots the way only DevTools
// can (the page's own scripts cannot; the security test checks that).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rememberSecret } from './leak-audit.mjs';
import { repoRoot } from './moto.mjs';

const FIXTURES = path.join(repoRoot, 'tests', 'fixtures', 'console');
const SHADOW_TIMEOUT_MS = 10_000;

/**
 * Serves the AWS and Scaleway fixtures for every console host, for every page of `context`.
 * `state.variant` picks the fixture variant at each page load; `state.nextKey()` gives the key
 * that the console "creates" (shown once on the last step / in the dialog).
 * @param {import('playwright-core').BrowserContext} context
 * @param {{variant: string, appId?: string, nextKey: (host: string) => object}} state
 */
export async function serveConsoles(context, state) {
  const fixture = (name) => readFileSync(path.join(FIXTURES, name), 'utf8');
  const handler = (file) => async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/__fixture/next-key') {
      const key = state.nextKey(url.host);
      // The console shows this key itself, once: allowed in its own page, nowhere else.
      for (const [field, value] of Object.entries(key ?? {})) {
        if (/secret/i.test(field)) {
          rememberSecret(`key shown by the console on ${url.host}`, value, 'provider', url.host);
        }
      }
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(key) });
      return;
    }
    const body = fixture(file).replaceAll('__VARIANT__', state.variant).replaceAll('__APP_ID__', state.appId ?? '');
    await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
  };
  for (const pattern of [
    'https://console.aws.amazon.com/**',
    'https://*.console.aws.amazon.com/**',
    'https://*.console.amazonaws-us-gov.com/**',
    'https://*.console.amazonaws.cn/**',
  ]) {
    await context.route(pattern, handler('aws.html'));
  }
  await context.route('https://console.scaleway.com/**', handler('scaleway.html'));
}

/** An access key as the AWS console shows it on "Retrieve access keys" (right format; not a real key). */
export function awsDisplayedKey() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const accessKeyId = `AKIA${[...randomBytes(16)].map((b) => alphabet[b % 32]).join('')}`;
  const secretAccessKey = randomBytes(30).toString('base64').replace(/=/g, 'A').slice(0, 40);
  return { accessKeyId, secretAccessKey };
}

/** Creates an API key in the Scaleway fake, as the console does when the user generates one. */
export async function scalewayConsoleKey(fake, bearer) {
  const response = await fetch(`${fake.url}/iam/v1alpha1/api-keys`, {
    method: 'POST',
    headers: { 'X-Auth-Token': fake.signer.secretKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...bearer, description: 'generated in the console' }),
  });
  if (response.status !== 200) {
    throw new Error(`the Scaleway fake refused to create a key: HTTP ${response.status} ${await response.text()}`);
  }
  const key = await response.json();
  return { accessKey: key.access_key, secretKey: key.secret_key };
}

/**
 * Runs `fn` (a function source, called with `this` = the shadow root) inside the closed shadow
 * root of the element matching `hostSelector`, via the DevTools protocol.
 */
export async function inShadow(page, hostSelector, fn, arg = null) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: hostSelector });
    if (!nodeId) {
      throw new Error(`no element matches ${hostSelector}`);
    }
    const { node } = await cdp.send('DOM.describeNode', { nodeId, depth: 1, pierce: true });
    const shadow = node.shadowRoots?.[0];
    if (shadow === undefined) {
      throw new Error(`${hostSelector} has no shadow root`);
    }
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId });
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration: fn.toString(),
      arguments: [{ value: arg }],
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails !== undefined) {
      throw new Error(`in ${hostSelector}'s shadow root: ${JSON.stringify(exceptionDetails.exception?.description ?? exceptionDetails)}`);
    }
    return result.value;
  } finally {
    await cdp.detach();
  }
}

/** The selector of one of Keysmith's injected buttons. */
export const buttonHost = (id) => `keysmith-button[data-keysmith="${id}"]`;
export const TOAST = 'keysmith-toast[data-keysmith="toast"]';
export const FALLBACK = 'keysmith-fallback[data-keysmith="fallback"]';

/** Waits for an injected button and returns its label and state. */
export async function injectedButton(page, id) {
  await page.locator(buttonHost(id)).waitFor({ timeout: SHADOW_TIMEOUT_MS });
  return inShadow(page, buttonHost(id), function () {
    const button = this.querySelector('button');
    return { label: button.innerText.replace(/^\W+/, '').trim(), disabled: button.disabled, font: getComputedStyle(button).fontFamily };
  });
}

/** Clicks with the real mouse inside a shadow root (Keysmith ignores synthetic clicks). */
export async function clickInShadow(page, hostSelector, innerSelector = 'button', text = undefined) {
  const box = await inShadow(
    page,
    hostSelector,
    function ({ selector, label }) {
      const candidates = [...this.querySelectorAll(selector)];
      const target = label === null ? candidates[0] : candidates.find((c) => c.textContent.trim() === label);
      if (target === undefined) {
        return null;
      }
      target.scrollIntoView({ block: 'center' });
      const rect = target.getBoundingClientRect();
      return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
    },
    { selector: innerSelector, label: text ?? null },
  );
  if (box === null) {
    throw new Error(`nothing to click in ${hostSelector} (${innerSelector} ${text ?? ''})`);
  }
  await page.mouse.click(box.x, box.y);
}

/** Waits for a toast whose data-code is `code` and returns its role, text and action labels. */
export async function waitForToast(page, code) {
  await page.locator(`${TOAST}[data-code="${code}"]`).waitFor({ timeout: SHADOW_TIMEOUT_MS });
  return inShadow(page, TOAST, function () {
    const box = this.querySelector('.toast');
    return {
      role: box.getAttribute('role'),
      text: box.innerText,
      actions: [...box.querySelectorAll('button')].map((b) => b.textContent.trim()),
    };
  });
}

/** Removes the current toast (as "Dismiss" would), so the next one can be awaited cleanly. */
export async function dismissToast(page) {
  if ((await page.locator(TOAST).count()) > 0) {
    await clickInShadow(page, TOAST, 'button', 'Dismiss');
    await page.locator(TOAST).waitFor({ state: 'detached' });
  }
}

/** chrome.storage.session key of the worker's console rate-limit window (messages.ts STORAGE.consoleLimit). */
export const CONSOLE_LIMIT_KEY = 'keysmith.consoleLimit';

/**
 * Starts a fresh console rate-limit window, as a minute's wait would, from an extension page
 * (session storage is for trusted contexts only: a console page cannot do this). For suites
 * that click the console buttons faster than a person; console-security.test.mjs tests the limit.
 */
export async function resetConsoleLimit(extensionPage) {
  await extensionPage.evaluate((key) => chrome.storage.session.remove(key), CONSOLE_LIMIT_KEY);
}
