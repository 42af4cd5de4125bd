// End to end: real Chromium with the test build of the extension, against a local moto server
// that verifies SigV4 signatures. Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import { listedAccessKeyIds, loadCore } from '../support/core.mjs';
import { findFreePort, repoRoot, SIGNER_USER, startMoto } from '../support/moto.mjs';
import { createAccessKey, createVault, setAwsEndpoint, setEndpoints, verifyIdentity } from '../support/popup-driver.mjs';

/** What settings.get answers before anything is changed on the options page. */
const DEFAULT_SETTINGS = {
  endpoints: {},
  autoLockMinutes: 15,
  clipboardClearSeconds: 30,
  defaultRegion: 'us-east-1',
  defaultEc2KeyType: 'ed25519',
};
import { addAwsSigner } from '../support/signer-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';

const TARGET_USER = 'alice';
const PASSPHRASE = 'copper kettle morning drizzle';
const CONSOLE_URL = 'https://us-east-1.console.aws.amazon.com/iam/home#/users/details/alice?section=security_credentials';

/** A signer id that names no vault entry. */
const NO_SUCH_SIGNER = '0'.repeat(32);

/** An aws.sign message: sts:GetCallerIdentity for `endpoint`, signed by vaulted signer `signerId`. */
function signCallerIdentity(endpoint, signerId) {
  const host = new URL(endpoint).host;
  return {
    type: 'aws.sign',
    request: {
      method: 'POST',
      url: `${endpoint}/`,
      headers: [
        ['Host', host],
        ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
      ],
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    },
    signerId,
    options: { region: 'us-east-1', service: 'sts', timeMs: Date.now() },
  };
}

describe('Keysmith extension against moto', { timeout: 240_000 }, () => {
  /** @type {import('../support/moto.mjs').MotoServer} */
  let moto;
  /** @type {import('../support/browser.mjs').ExtensionBrowser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let popup;
  /** The vaulted signer holding moto's seeded key. */
  let signerId;

  before(
    async () => {
      moto = await startMoto({ extraUsers: [TARGET_USER] });
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setAwsEndpoint(popup, moto.endpoint);
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => moto?.stop()));

  test('the popup shows the core version and, on first run, the vault setup', async () => {
    const version = await popup.locator('#core-version').innerText();
    assert.match(version, /^\d+\.\d+\.\d+/);
    assert.equal(await popup.locator('#vault-state').innerText(), 'Vault: not set up yet');
    assert.equal(await popup.getByRole('button', { name: 'Create vault' }).isVisible(), true);
  });

  test('creating a key before the vault exists is refused before any call to AWS', async () => {
    const result = await sendFromPage(popup, { type: 'aws.createAccessKey', signerId: NO_SUCH_SIGNER, userName: TARGET_USER });
    assert.equal(result.ok, false, JSON.stringify(result));
    assert.equal(result.error.code, 'no_vault');
    assert.match(result.error.message, /set up the vault/);
    const noSigner = await addAwsSigner(browser, moto.signer);
    assert.equal(noSigner.kind, 'error', noSigner.text);
    assert.equal(noSigner.errorCode, 'no_vault', noSigner.text);
    const core = await loadCore();
    const listed = await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, TARGET_USER);
    assert.deepEqual(listed, [], `a key was created anyway: ${listed}`);

    const vault = await createVault(popup, PASSPHRASE);
    assert.equal(vault.ok, true, vault.error);
    const added = await addAwsSigner(browser, moto.signer);
    assert.equal(added.kind, 'ok', added.text);
    signerId = added.signerId;
    assert.match(signerId, /^[0-9a-f]{32}$/);
  });

  test('(a) GetCallerIdentity with the vaulted seeded key shows the account on screen', async () => {
    const result = await verifyIdentity(popup, moto.signer);
    await popup.screenshot({ path: screenshotPath('e2e-identity.png'), fullPage: true });
    assert.equal(result.kind, 'ok', result.text);
    assert.equal(result.fields.Account, moto.accountId);
    assert.equal(result.fields.ARN, `arn:aws:iam::${moto.accountId}:user/${SIGNER_USER}`);
  });

  test('(b) CreateAccessKey creates a key that moto lists (checked from Node with the core)', async () => {
    const result = await createAccessKey(popup, moto.signer, TARGET_USER);
    await popup.screenshot({ path: screenshotPath('e2e-create-key.png'), fullPage: true });
    assert.equal(result.kind, 'ok', result.text);
    assert.match(result.fields['Vault entry'], /^[0-9a-f]{32}$/);
    assert.ok(result.text.includes(`Vaulted as entry ${result.fields['Vault entry']}`), result.text);
    const createdKeyId = result.fields['Access key ID'];
    assert.match(createdKeyId, /^AKIA[A-Z0-9]{12,}$/, `no access key id on screen: ${result.text}`);
    assert.notEqual(createdKeyId, moto.signer.accessKeyId);
    assert.equal(result.fields.User, TARGET_USER);
    assert.equal(result.fields.Status, 'Active');

    // Independent check, signed in Node by the same core package (this also proves it loads in Node).
    const core = await loadCore();
    assert.equal(core.coreVersion(), await popup.locator('#core-version').innerText());
    const listed = await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, TARGET_USER);
    assert.ok(listed.includes(createdKeyId), `moto lists ${listed}`);
  });

  test('(c) a signer with a wrong secret is refused (SignatureDoesNotMatch) and nothing is stored', async () => {
    const before = await sendFromPage(popup, { type: 'signers.list' });
    const storedBefore = await popup.evaluate(async () => ({
      local: Object.keys(await chrome.storage.local.get(null)).sort(),
      session: Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('keysmith.entry.')),
    }));
    const wrong = { ...moto.signer, secretAccessKey: `${moto.signer.secretAccessKey.slice(0, -4)}WXYZ` };
    const result = await addAwsSigner(browser, wrong);
    assert.equal(result.kind, 'error', result.text);
    assert.equal(result.errorCode, 'SignatureDoesNotMatch');
    assert.ok(result.text.includes('AWS rejected the signature (SignatureDoesNotMatch): check the secret access key'), result.text);

    const unknownKey = await addAwsSigner(browser, { ...moto.signer, accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' });
    assert.equal(unknownKey.kind, 'error', unknownKey.text);
    assert.equal(unknownKey.errorCode, 'InvalidClientTokenId', unknownKey.text);

    const storedAfter = await popup.evaluate(async () => ({
      local: Object.keys(await chrome.storage.local.get(null)).sort(),
      session: Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('keysmith.entry.')),
    }));
    assert.deepEqual(storedAfter, storedBefore, 'a refused signer left something in storage');
    assert.deepEqual(await sendFromPage(popup, { type: 'signers.list' }), before);
    const ping = await sendFromPage(popup, { type: 'ping' });
    assert.equal(ping.ok, true, JSON.stringify(ping));
  });

  test('the popup checks its fields before sending anything', async () => {
    const badName = await createAccessKey(popup, moto.signer, 'no spaces allowed');
    assert.equal(badName.kind, 'error');
    assert.match(badName.text, /^The IAM user name may contain only letters, digits/);
    assert.equal(await popup.getByLabel('IAM user name').getAttribute('aria-invalid'), 'true');

    const missingSecret = await addAwsSigner(browser, { ...moto.signer, secretAccessKey: '' });
    assert.equal(missingSecret.kind, 'error');
    assert.equal(missingSecret.text, 'Enter both the access key ID and the secret access key.');
  });

  test('malformed messages get an error reply and do not break the worker', async () => {
    const malformed = [
      'not an object',
      null,
      { type: 'no.such.message' },
      { type: 'aws.getCallerIdentity', signerId: 5 },
      { type: 'aws.getCallerIdentity', signerId: 'not-a-signer-id' },
      // Credentials in messages are gone: a signer is named by its vault id only.
      { type: 'aws.getCallerIdentity', credentials: moto.signer },
      { type: 'aws.createAccessKey', signerId, userName: 'no spaces allowed' },
      { type: 'signers.addAws', text: 'x', credentials: moto.signer },
      { type: 'signers.mfaSession', signerId, tokenCode: '12345' },
      { type: 'settings.set', endpoints: { aws: 'http://user:pass@127.0.0.1:1' } },
      { type: 'settings.set', endpoints: { aws: 'https://example.com/path' } },
      { type: 'settings.set', endpoints: { aws: 'ftp://example.com' } },
      { type: 'ping', extra: true },
    ];
    for (const message of malformed) {
      const reply = await sendFromPage(popup, message);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(message)}`);
      assert.equal(reply.error.code, 'bad_request', JSON.stringify(reply));
    }
    const settings = await sendFromPage(popup, { type: 'settings.get' });
    assert.deepEqual(
      settings,
      { ok: true, result: { ...DEFAULT_SETTINGS, endpoints: { aws: moto.endpoint } } },
      'bad settings were not saved',
    );
    const ping = await sendFromPage(popup, { type: 'ping' });
    assert.equal(ping.ok, true);
  });

  test('aws.sign from an extension page signs with the vaulted signer, and moto accepts it', async () => {
    const reply = await sendFromPage(popup, signCallerIdentity(moto.endpoint, signerId));
    assert.equal(reply.ok, true, JSON.stringify(reply));
    assert.match(reply.result.signature, /^[0-9a-f]{64}$/);
    const authorization = reply.result.headers.find(([name]) => name.toLowerCase() === 'authorization')?.[1] ?? '';
    assert.ok(authorization.includes(`Credential=${moto.signer.accessKeyId}/`), authorization);
    // Sent from Node exactly as signed: moto checks the signature.
    const answer = await fetch(reply.result.url, {
      method: reply.result.method,
      headers: reply.result.headers.filter(([name]) => name.toLowerCase() !== 'host'),
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const text = await answer.text();
    assert.equal(answer.status, 200, text);
    assert.ok(text.includes(`<Account>${moto.accountId}</Account>`), text);
    const unknown = await sendFromPage(popup, signCallerIdentity(moto.endpoint, NO_SUCH_SIGNER));
    assert.equal(unknown.ok, false);
    assert.equal(unknown.error.code, 'no_signer', JSON.stringify(unknown));
  });

  test('(d) a content script and a web page get no signature and no credentialed call', async () => {
    // The content script runs in an isolated world that Playwright does not expose; reach it
    // through the DevTools protocol (browser.mjs contentScriptWorld).
    const world = await contentScriptWorld(browser, {
      url: CONSOLE_URL,
      body: readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'aws-console.html'), 'utf8'),
      readySelector: 'html[data-keysmith-content="aws-console"]',
    });
    const { page } = world;
    await page.screenshot({ path: screenshotPath('e2e-console-fixture.png') });
    /** Sends a message from the content script, or (given a string) evaluates that expression there. */
    const fromContentScript = (message) => (typeof message === 'string' ? world.evaluate(message) : world.send(message));

    // The channel works (so a refusal below is the worker's decision, not a broken channel)…
    const ping = await fromContentScript({ type: 'ping' });
    assert.equal(ping.ok, true, JSON.stringify(ping));
    // The vault's status (what a locked vault reveals anyway) is open to content scripts…
    const status = await fromContentScript({ type: 'vault.status' });
    assert.equal(status.ok, true, JSON.stringify(status));
    assert.deepEqual(Object.keys(status.result).sort(), [
      'autoLockAt',
      'autoLockMinutes',
      'entryCount',
      'exists',
      'kdf',
      'unlocked',
    ]);
    assert.equal(status.result.exists, true);
    // …but nothing credential-bearing, vault-reading or configuration-changing is accepted.
    const entryKey = `keysmith.entry.${'0'.repeat(32)}`;
    const refused = [
      signCallerIdentity(moto.endpoint, signerId),
      { type: 'aws.getCallerIdentity', signerId },
      { type: 'aws.createAccessKey', signerId, userName: TARGET_USER },
      { type: 'signers.list' },
      { type: 'signers.addAws', credentials: moto.signer },
      { type: 'signers.remove', signerId },
      { type: 'signers.mfaSession', signerId, tokenCode: '123456' },
      { type: 'settings.get' },
      { type: 'settings.set', endpoints: { aws: 'https://attacker.example' } },
      { type: 'settings.set', autoLockMinutes: 1440 },
      { type: 'vault.create', passphrase: 'attacker passphrase' },
      { type: 'vault.unlock', passphrase: PASSPHRASE },
      { type: 'vault.lock' },
      { type: 'vault.list' },
      { type: 'vault.export', storageKey: entryKey, format: 'aws-env' },
      { type: 'vault.import', text: 'User Name,Access key ID,Secret access key\n' },
      { type: 'vault.delete', storageKey: entryKey },
      { type: 'vault.restore', storageKey: entryKey },
      { type: 'vault.changePassphrase', currentPassphrase: PASSPHRASE, newPassphrase: 'attacker passphrase' },
    ];
    for (const message of refused) {
      const reply = await fromContentScript(message);
      assert.equal(reply.ok, false, `content script got ${message.type}: ${JSON.stringify(reply)}`);
      assert.equal(reply.error.code, 'sender_not_allowed', JSON.stringify(reply));
    }

    // Nor can a content script read or write the extension's storage directly: session keeps its
    // default (trusted contexts only; it holds the parked key while unlocked), and the worker
    // restricts local (the header and sealed entries) the same way.
    const storageAccess = await fromContentScript(`(async () => {
      const out = {};
      for (const area of ['local', 'session']) {
        try {
          out[area] = { keys: Object.keys(await chrome.storage[area].get(null)) };
        } catch (error) {
          out[area] = { error: String(error) };
        }
      }
      try {
        await chrome.storage.local.set({ 'keysmith.vault': 'attacker header' });
        out.write = 'allowed';
      } catch (error) {
        out.write = String(error);
      }
      return out;
    })()`);
    for (const area of ['local', 'session', 'write']) {
      const outcome = area === 'write' ? storageAccess.write : storageAccess[area].error;
      assert.match(String(outcome), /Access to storage is not allowed from this context/, JSON.stringify(storageAccess));
    }

    // The page's own scripts cannot message the extension at all (no externally_connectable).
    const fromPage = await page.evaluate(async ({ extensionId, message }) => {
      const runtime = globalThis.chrome?.runtime;
      if (runtime?.sendMessage === undefined) {
        return { api: 'absent' };
      }
      try {
        return { api: 'present', reply: await runtime.sendMessage(extensionId, message) };
      } catch (error) {
        return { api: 'present', error: String(error) };
      }
    }, { extensionId: browser.extensionId, message: signCallerIdentity(moto.endpoint, signerId) });
    assert.ok(fromPage.reply === undefined, `the page got a reply: ${JSON.stringify(fromPage)}`);

    const settings = await sendFromPage(popup, { type: 'settings.get' });
    assert.equal(settings.result.endpoints.aws, moto.endpoint, 'the content script changed the endpoint');
    await page.close();
  });

  test('an unreachable endpoint gives a clear network error', async () => {
    const closedPort = await findFreePort(); // free, so nothing listens there
    const unreachable = `http://127.0.0.1:${closedPort}`;
    await setAwsEndpoint(popup, unreachable);
    const result = await verifyIdentity(popup, moto.signer);
    assert.equal(result.kind, 'error', result.text);
    assert.equal(result.errorCode, 'network', result.text);
    assert.ok(result.text.startsWith('Could not reach the provider'), result.text);
    await setAwsEndpoint(popup, moto.endpoint);
  });

  test('clearing the endpoint goes back to the real AWS hosts', async () => {
    const cleared = await setEndpoints(popup, { aws: '' });
    assert.equal(cleared.fields.AWS, 'AWS itself', cleared.text);
    assert.deepEqual(await sendFromPage(popup, { type: 'settings.get' }), {
      ok: true,
      result: { ...DEFAULT_SETTINGS, endpoints: {} },
    });
    await setAwsEndpoint(popup, moto.endpoint);
  });

  test('no secret ever reaches the console of the worker or of a page', () => {
    const lines = browser.consoleLines;
    // Positive control: the worker's warning for the wrong-secret call was captured…
    assert.ok(
      lines.some((line) => line.startsWith('worker:') && line.includes('SignatureDoesNotMatch')),
      `worker console not captured: ${JSON.stringify(lines)}`,
    );
    // …and no line carries the secret, or even a long piece of it.
    const secret = moto.signer.secretAccessKey;
    for (const line of lines) {
      for (let start = 0; start + 8 <= secret.length; start += 1) {
        assert.ok(!line.includes(secret.slice(start, start + 8)), `secret material in console: ${line}`);
      }
    }
  });
});
