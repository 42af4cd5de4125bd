// End to end: the console integration's isolation. A hostile console page (its own scripts,
// installed before anything else runs) tries to read the secret from Keysmith's elements and
// shadow roots, and to intercept the extension's messages; the worker refuses console messages
// from the wrong senders and malformed ones without echoing secrets. A compromised console's
// content-script world that fires creates and "Vault this key" at once meets the console rate
// limit (against moto and the Scaleway fake): exactly as many as it allows are made, across
// tabs and a worker restart, while Keysmith's own pages still create.
// Run: node --test tests/e2e/console-security.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, dumpStorage, launchExtension, openPopup, screenshotPath, sendFromPage, stopServiceWorker } from '../support/browser.mjs';
import {
  CONSOLE_LIMIT_KEY,
  awsDisplayedKey,
  buttonHost,
  clickInShadow,
  injectedButton,
  serveConsoles,
  waitForToast,
} from '../support/console-driver.mjs';
import { createVault, lockVault, unlockVault } from '../support/popup-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { listedAccessKeyIds, loadCore, signedQuery } from '../support/core.mjs';
import { repoRoot, startMoto } from '../support/moto.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';
import { setScalewayEndpoint } from '../support/scaleway-driver.mjs';
import { addScalewaySigner, setUpAwsSigner } from '../support/signer-driver.mjs';

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

// The limits of console-messages.ts CONSOLE_RATE_LIMIT.
const CREATES_PER_MINUTE = 5;
const VAULTS_PER_MINUTE = 10;
const REGION = 'eu-west-3';

describe('console rate limit: what console pages may have made, per minute, across tabs and restarts', { timeout: 240_000 }, () => {
  let core;
  let moto;
  let fake;
  let browser;
  let popup;
  let signerId;
  /** Keysmith's content-script worlds in an AWS and a Scaleway console tab. */
  let aws;
  let scw;
  /** When the burst of creates began: the window holds until a minute after its first create. */
  let burstAt;
  const users = Array.from({ length: 8 }, (_, i) => `rl-${i}`);

  before(
    async () => {
      core = await loadCore();
      [fake, moto] = await Promise.all([startScalewayFake(), startMoto({ extraUsers: users })]);
      browser = await launchExtension();
      popup = await openPopup(browser);
      signerId = await setUpAwsSigner(browser, popup, { endpoint: moto.endpoint, passphrase: PASSPHRASE, signer: moto.signer });
      await setScalewayEndpoint(popup, fake.url);
      const scwSigner = await addScalewaySigner(browser, fake.signer);
      assert.equal(scwSigner.kind, 'ok', scwSigner.text);
      aws = await contentScriptWorld(browser, {
        url: `${IAM}#/users/details/rl-0?section=security_credentials`,
        body: readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'aws-console.html'), 'utf8'),
        readySelector: 'html[data-keysmith-content="aws-console"]',
      });
      scw = await contentScriptWorld(browser, {
        url: 'https://console.scaleway.com/iam/api-keys',
        body: '<!doctype html><title>console</title><p>fixture</p>',
        readySelector: 'html[data-keysmith-content="scaleway-console"]',
      });
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => fake?.stop(), () => moto?.stop()));

  /** Sends `messages` from a content-script world all at once (not one after the other). */
  const sendAtOnce = (world, messages) =>
    world.evaluate(`Promise.all(${JSON.stringify(messages)}.map((m) => chrome.runtime.sendMessage(m)))`);

  /** What exists at the providers and in the vault, counted independently of the extension. */
  async function made() {
    const iam = (await Promise.all(users.map((user) => listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, user)))).flat();
    const pairs = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'ec2',
      params: { Action: 'DescribeKeyPairs' },
      credentials: moto.signer,
      region: REGION,
    });
    assert.equal(pairs.status, 200, pairs.text);
    const keyPairs = [...pairs.text.matchAll(/<keyName>([^<]+)<\/keyName>/g)].map((m) => m[1]);
    const requests = moto.requests();
    return {
      iam,
      keyPairs,
      scalewayKeys: fake.allSecretKeys().length,
      // Calls that make something, as the providers received them.
      createCalls:
        requests.filter((r) => /(^|&)Action=(CreateAccessKey|CreateKeyPair)(&|$)/.test(r.body)).length +
        fake.audit().filter((e) => e.method === 'POST' && e.path === '/iam/v1alpha1/api-keys').length,
      entries: Object.keys((await dumpStorage(popup)).local).filter((k) => k.startsWith('keysmith.entry.')).length,
    };
  }

  /** The window as the worker keeps it, in chrome.storage.session. */
  const storedWindow = async () => (await dumpStorage(popup)).session[CONSOLE_LIMIT_KEY];

  /** The rest of the suite relies on the burst's window: check that a minute has not passed. */
  function windowStillFull() {
    const elapsed = Date.now() - burstAt;
    assert.ok(elapsed < 50_000, `the burst was ${elapsed} ms ago: its window (one minute) is about to end, too slow a run to test it`);
  }

  function assertLimited(reply, what, max) {
    assert.equal(reply.ok, false, JSON.stringify(reply));
    assert.equal(reply.error.code, 'console_rate_limited', JSON.stringify(reply));
    assert.ok(Number.isInteger(reply.error.retryAfterMs) && reply.error.retryAfterMs > 0 && reply.error.retryAfterMs <= 60_000, JSON.stringify(reply));
    assert.match(reply.error.message, new RegExp(`^Keysmith paused ${what} from console pages: ${max} in the last minute\\. Wait \\d+ s, or use the Keysmith popup$`));
  }

  test('refusals that made nothing (a locked vault) do not use up the limit', async () => {
    await lockVault(popup);
    try {
      for (let i = 0; i < CREATES_PER_MINUTE + 2; i += 1) {
        const reply = await aws.send({ type: 'console.aws.createAccessKey', userName: 'rl-0' });
        assert.equal(reply.error?.code, 'vault_locked', `attempt ${i}: ${JSON.stringify(reply)}`);
      }
    } finally {
      await unlockVault(popup, PASSPHRASE);
    }
    assert.deepEqual((await storedWindow())?.create ?? [], [], 'the refused creates still count');
  });

  test(`${CREATES_PER_MINUTE + 3} creates at once from two console tabs: exactly ${CREATES_PER_MINUTE} are made, the rest refused before any provider call`, async () => {
    const before = await made();
    assert.deepEqual(before.iam, []);
    assert.deepEqual(before.keyPairs, []);
    assert.equal(before.createCalls, 0);
    burstAt = Date.now();
    const awsMessages = [
      ...users.slice(0, 4).map((userName) => ({ type: 'console.aws.createAccessKey', userName })),
      { type: 'console.ec2.createKeyPair', region: REGION, keyName: 'rl-pair-0' },
      { type: 'console.ec2.createKeyPair', region: REGION, keyName: 'rl-pair-1' },
    ];
    const scwMessages = [{ type: 'console.scaleway.createApiKey' }, { type: 'console.scaleway.createApiKey' }];
    const [awsReplies, scwReplies] = await Promise.all([sendAtOnce(aws, awsMessages), sendAtOnce(scw, scwMessages)]);
    const replies = [...awsReplies, ...scwReplies];
    const done = replies.filter((reply) => reply.ok);
    const refused = replies.filter((reply) => !reply.ok);
    assert.equal(done.length, CREATES_PER_MINUTE, JSON.stringify(replies));
    assert.equal(refused.length, 3, JSON.stringify(replies));
    for (const reply of refused) {
      assertLimited(reply, 'creates', CREATES_PER_MINUTE);
    }
    const after = await made();
    // Exactly the five answered keys exist at the providers, and only five create calls went out.
    assert.equal(after.createCalls, CREATES_PER_MINUTE, 'a refused create reached a provider');
    assert.equal(after.iam.length + after.keyPairs.length + (after.scalewayKeys - before.scalewayKeys), CREATES_PER_MINUTE);
    for (const { result } of done) {
      assert.ok(
        after.iam.includes(result.keyId) || after.keyPairs.includes(result.keyId) || fake.apiKey(result.keyId) !== undefined,
        `${result.keyId} was answered but does not exist at its provider`,
      );
    }
    assert.equal(after.entries, before.entries + CREATES_PER_MINUTE, 'the vault does not hold exactly the created keys');
    assert.equal((await storedWindow()).create.length, CREATES_PER_MINUTE);
    // The window is out of a console page's reach: session storage is for trusted contexts only.
    const fromPage = await aws.evaluate(`(async () => {
      const out = [];
      for (const op of [() => chrome.storage.session.get(null), () => chrome.storage.session.remove(${JSON.stringify(CONSOLE_LIMIT_KEY)})]) {
        try { await op(); out.push('allowed'); } catch (error) { out.push('refused: ' + String(error?.message ?? error)); }
      }
      return out;
    })()`);
    assert.equal(fromPage.length, 2);
    for (const outcome of fromPage) {
      assert.match(outcome, /^refused: /, 'a content script reached chrome.storage.session');
    }
    assert.equal((await storedWindow()).create.length, CREATES_PER_MINUTE);
  });

  test(`"Vault this key" has its own limit: ${VAULTS_PER_MINUTE + 2} at once, exactly ${VAULTS_PER_MINUTE} vaulted`, async () => {
    const before = await made();
    const keys = Array.from({ length: VAULTS_PER_MINUTE + 2 }, () => awsDisplayedKey());
    const replies = await sendAtOnce(
      aws,
      keys.map((key) => ({ type: 'console.vaultKey', key: { provider: 'aws', ...key } })),
    );
    const vaulted = replies.filter((reply) => reply.ok);
    assert.equal(vaulted.length, VAULTS_PER_MINUTE, JSON.stringify(replies.filter((reply) => !reply.ok)));
    for (const reply of replies.filter((r) => !r.ok)) {
      assertLimited(reply, '"Vault this key"', VAULTS_PER_MINUTE);
    }
    assert.equal((await made()).entries, before.entries + VAULTS_PER_MINUTE);
  });

  test('a stopped service worker does not forget the window', async () => {
    windowStillFull();
    const before = await made();
    const stopped = await stopServiceWorker(browser, popup);
    // The next message starts a fresh worker (new memory); the window is still in session storage.
    const [create, vault] = await Promise.all([
      aws.send({ type: 'console.aws.createAccessKey', userName: 'rl-4' }),
      aws.send({ type: 'console.vaultKey', key: { provider: 'aws', ...awsDisplayedKey() } }),
    ]);
    await stopped.waitUntilRunning();
    assertLimited(create, 'creates', CREATES_PER_MINUTE);
    assertLimited(vault, '"Vault this key"', VAULTS_PER_MINUTE);
    assert.deepEqual(await made(), before, 'something was made after the restart');
  });

  test("Keysmith's own pages still create while console pages are paused", async () => {
    windowStillFull();
    const created = await sendFromPage(popup, { type: 'aws.createAccessKey', signerId, userName: 'rl-5' });
    assert.equal(created.ok, true, JSON.stringify(created));
    assert.deepEqual(await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, 'rl-5'), [created.result.accessKeyId]);
    assert.equal((await storedWindow()).create.length, CREATES_PER_MINUTE, 'a popup create was counted');
  });

  test('a click on "Create and vault key" while paused: the toast says why, how long, and what else to do', async () => {
    windowStillFull();
    await serveConsoles(browser.context, { variant: 'classic', next: {}, nextKey: () => ({}) });
    const page = await browser.context.newPage();
    try {
      await page.setViewportSize({ width: 1200, height: 760 });
      await page.goto(`${IAM}#/users/details/rl-6?section=security_credentials`);
      await injectedButton(page, 'aws-create-access-key');
      await clickInShadow(page, buttonHost('aws-create-access-key'));
      const toast = await waitForToast(page, 'console_rate_limited');
      assert.equal(toast.role, 'alert');
      assert.match(toast.text, /Create and vault key for rl-6: not done/);
      assert.match(
        toast.text,
        new RegExp(`Keysmith paused creates from console pages: ${CREATES_PER_MINUTE} in the last minute\\. Wait \\d+ s, or use the Keysmith popup\\.`),
      );
      const wait = Number(/Wait (\d+) s/.exec(toast.text)[1]);
      assert.ok(wait >= 1 && wait <= 60 - Math.floor((Date.now() - burstAt) / 1000) + 1, `wait ${wait} s`);
      assert.deepEqual(toast.actions, ['Open Keysmith', 'Dismiss']);
      assert.equal((await injectedButton(page, 'aws-create-access-key')).disabled, false, 'the button can be used again');
      await page.screenshot({ path: screenshotPath('console-aws-rate-limited-toast.png') });
      assert.deepEqual(await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, 'rl-6'), []);
    } finally {
      await page.close();
    }
  });
});
