// End to end: the console integration's isolation. A hostile console page (its own scripts,
// installed before anything else runs) tries to read the secret from Keysmith's elements and
// shadow roots, and to intercept the extension's messages; the worker refuses console messages
// from the wrong senders and malformed ones without echoing secrets.
// Run: node --test tests/e2e/console-security.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchExtension, openPopup, sendFromPage } from '../support/browser.mjs';
import { awsDisplayedKey, buttonHost, clickInShadow, injectedButton, serveConsoles, waitForToast } from '../support/console-driver.mjs';
import { createVault } from '../support/popup-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';

const PASSPHRASE = 'walnut harbour silent 1984';
const IAM = 'https://us-east-1.console.aws.amazon.com/iam/home';

/**
 * The hostile page's spy, run in the page's own world before its scripts: it hooks attachShadow,
 * dispatchEvent, postMessage and window messages, and records every mutation touching an element
 * of Keysmith's (attributes included).
 */
function installSpy() {
  const spy = { shadowRoots: [], events: [], messages: [], keysmithMutations: [], runtime: typeof globalThis.chrome?.runtime?.sendMessage };
  globalThis.__spy = spy;
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    spy.shadowRoots.push(root);
    return root;
  };
  const dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (event) {
    spy.events.push(`${event.type}:${JSON.stringify(event.detail ?? null)}`);
    return dispatch.call(this, event);
  };
  const post = window.postMessage;
  window.postMessage = function (...args) {
    spy.messages.push(JSON.stringify(args[0]));
    return post.apply(this, args);
  };
  window.addEventListener('message', (event) => spy.messages.push(JSON.stringify(event.data)), true);
  const ours = (node) => node instanceof Element && node.closest('[data-keysmith]') !== null;
  new MutationObserver((records) => {
    for (const record of records) {
      const nodes = [record.target, ...record.addedNodes];
      if (nodes.some(ours)) {
        spy.keysmithMutations.push(
          nodes.map((node) => (node instanceof Element ? `${node.outerHTML}|${node.shadowRoot === null ? 'closed' : node.shadowRoot.innerHTML}` : node.textContent)).join('\n'),
        );
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

/** What the page's script can find of `secret`: in its spy, in Keysmith's hosts, and on the page. */
async function pageSees(page, secret) {
  return page.evaluate((s) => {
    const spy = globalThis.__spy;
    const hosts = [...document.querySelectorAll('[data-keysmith]')];
    const hostText = hosts.map((h) => `${h.outerHTML}${h.innerHTML}${h.textContent}${[...h.attributes].map((a) => a.value).join(' ')}`).join('\n');
    const pageValues = [...document.querySelectorAll('input, textarea')].map((f) => f.value).join('\n');
    const count = (text) => text.split(s).length - 1;
    return {
      hosts: hosts.length,
      openShadowRoots: hosts.filter((h) => h.shadowRoot !== null).length,
      capturedShadowRoots: spy.shadowRoots.length,
      inHosts: count(hostText),
      inMutations: count(spy.keysmithMutations.join('\n')),
      inEvents: count(spy.events.join('\n')),
      inMessages: count(spy.messages.join('\n')),
      inPage: count(document.documentElement.outerHTML) + count(pageValues),
      runtime: spy.runtime,
    };
  }, secret);
}

describe('console integration: isolation from the page and from wrong senders', { timeout: 180_000 }, () => {
  let browser;
  let popup;
  let page;
  const state = { variant: 'classic', next: {}, nextKey: (host) => state.next[host.includes('scaleway') ? 'scw' : 'aws'] };

  before(
    async () => {
      browser = await launchExtension();
      popup = await openPopup(browser);
      const created = await createVault(popup, PASSPHRASE);
      assert.equal(created.ok, true, JSON.stringify(created));
      await serveConsoles(browser.context, state);
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1200, height: 760 });
      await page.addInitScript(installSpy);
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close()));

  test('a page script finds no secret in Keysmith’s elements, shadow roots, events or messages', async () => {
    const key = awsDisplayedKey();
    state.next.aws = key;
    await page.goto(`${IAM}#/users/details/mallory/create-access-key`);
    await page.getByRole('button', { name: 'Next' }).click();
    await injectedButton(page, 'aws-vault-this-key');
    const before = await pageSees(page, key.secretAccessKey);
    await clickInShadow(page, buttonHost('aws-vault-this-key'));
    const toast = await waitForToast(page, 'ok');
    assert.match(toast.text, new RegExp(key.accessKeyId));
    const seen = await pageSees(page, key.secretAccessKey);
    assert.equal(seen.hosts, 2, 'the button and the toast');
    assert.equal(seen.openShadowRoots, 0, 'Keysmith’s shadow roots are closed');
    assert.equal(seen.capturedShadowRoots, 0, 'the page’s attachShadow hook never saw Keysmith’s roots');
    assert.equal(seen.inHosts, 0);
    assert.equal(seen.inMutations, 0);
    assert.equal(seen.inEvents, 0);
    assert.equal(seen.inMessages, 0);
    assert.equal(seen.inPage, before.inPage, 'the secret is shown exactly as much as the console itself shows it');
    assert.equal(seen.runtime, 'undefined', 'the page has no channel to the extension');
    // The page cannot reach the extension's worker with a console message either.
    const fromPage = await page.evaluate(async (extensionId) => {
      try {
        return await globalThis.chrome?.runtime?.sendMessage?.(extensionId, { type: 'console.openExtension' });
      } catch (error) {
        return String(error);
      }
    }, browser.extensionId);
    assert.equal(fromPage, undefined);
  });

  test('the worker refuses console messages from anyone but a console content script of that console', async () => {
    // From an extension page (the popup): not a console.
    for (const message of [
      { type: 'console.openExtension' },
      { type: 'console.aws.createAccessKey', userName: 'alice' },
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) } },
    ]) {
      const reply = await sendFromPage(popup, message);
      assert.equal(reply.ok, false, JSON.stringify(reply));
      assert.equal(reply.error.code, 'sender_not_allowed');
    }

    // From Keysmith's content script in the AWS console: AWS and shared messages only.
    const cdp = await browser.context.newCDPSession(page);
    const contexts = [];
    cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
    await cdp.send('Runtime.enable');
    await page.goto('about:blank');
    await page.goto(`${IAM}#/users/details/alice?section=security_credentials`);
    await page.locator('html[data-keysmith-content="aws-console"]').waitFor();
    const isolated = contexts
      .filter((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${browser.extensionId}`)
      .at(-1);
    assert.ok(isolated, 'no content-script world');
    const send = async (message) => {
      const evaluation = await cdp.send('Runtime.evaluate', {
        expression: `chrome.runtime.sendMessage(${JSON.stringify(message)})`,
        contextId: isolated.id,
        awaitPromise: true,
        returnByValue: true,
      });
      return evaluation.result.value;
    };
    const wrongConsole = await send({ type: 'console.scaleway.createApiKey' });
    assert.equal(wrongConsole.error?.code, 'sender_not_allowed', JSON.stringify(wrongConsole));
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY!';
    for (const malformed of [
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'not an id', secretAccessKey: secret } },
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: `${secret} with spaces` } },
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: secret }, extra: 1 },
      { type: 'console.aws.createAccessKey', userName: 'alice/../../x' },
      { type: 'console.ec2.createKeyPair', region: 'eu-west-3', keyName: 'a\nb' },
      { type: 'console.openExtension', entryId: '../../evil' },
      // Well-formed, but a region the manifest grants no EC2 host for (China): refused up front.
      { type: 'console.ec2.createKeyPair', region: 'cn-north-1' },
    ]) {
      const reply = await send(malformed);
      assert.equal(reply.ok, false, JSON.stringify(reply));
      assert.equal(reply.error.code, 'bad_request', JSON.stringify(reply));
      assert.ok(!JSON.stringify(reply).includes(secret.slice(0, 20)), 'the error does not echo the secret');
    }
    // A well-formed "Vault this key" answers with the entry id and the key id, nothing else.
    const vaulted = await send({
      type: 'console.vaultKey',
      key: { provider: 'aws', accessKeyId: 'AKIAAAAAAAAAAAAAAAAB', secretAccessKey: secret.replace('!', 'x') },
    });
    assert.equal(vaulted.ok, true, JSON.stringify(vaulted));
    assert.deepEqual(Object.keys(vaulted.result).sort(), ['entryId', 'keyId']);
    assert.equal(vaulted.result.keyId, 'AKIAAAAAAAAAAAAAAAAB');
    // The create button's path: refused with no_signer before any provider call.
    const create = await send({ type: 'console.aws.createAccessKey', userName: 'alice' });
    assert.equal(create.error?.code, 'no_signer', JSON.stringify(create));
    await cdp.detach();
  });
});
