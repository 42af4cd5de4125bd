// Leak audit (issue #9, item 4, scoped to one representative run): in one browser profile,
// create a vault, an IAM access key and an EC2 key pair against moto, a Scaleway API key against
// the fake, import a key by pasting it, and export them; then search for every secret involved
// (and its base64 and UTF-16 forms) in chrome.storage.local/session/sync, IndexedDB, every
// page's DOM, the console and service-worker logs, every request moto and the Scaleway fake
// received, and every file of the browser profile on disk once the browser has closed. The
// only allowed appearances: a Scaleway signer's secret in the X-Auth-Token header of requests
// to the Scaleway API, and an export's text in the popup while it is shown (the test hides it
// first, as the popup does).
// The flows go through the shared drivers (popup-driver.mjs, scaleway-driver.mjs).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, launchExtension, openPopup, sendFromPage } from '../support/browser.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { domText, knownSecrets, privateKeyParts, searcher, storageDump } from '../support/leak-audit.mjs';
import { repoRoot, startMoto } from '../support/moto.mjs';
import {
  createAccessKey,
  createKeyPair,
  createVault,
  exportEntry,
  importText,
  setAwsEndpoint,
} from '../support/popup-driver.mjs';
import { createScalewayKey, setScalewayEndpoint, verifyScalewaySigner } from '../support/scaleway-driver.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';
import { addAwsSigner, addScalewaySigner } from '../support/signer-driver.mjs';

const PASSPHRASE = 'leak audit passphrase quartz 5521';
const TARGET_USER = 'leak-target';
const KEY_PAIR = 'leak-audit-pair';
// A key pasted into "Import keys" (made up: it only has to be recognisable).
const IMPORTED_ID = 'AKIAIOSFODNN7LEAKAUD';
const IMPORTED_SECRET = 'leakAuditImported/Secret+0123456789abcdefXYZ';

describe('leak audit: no secret outside the vault and its provider', { timeout: 300_000 }, () => {
  let moto;
  let fake;
  let browser;
  let popup;
  /** This run's secrets, which the shared audit (tests/support/leak-audit.mjs) must know. */
  const secretTexts = {};
  /** @type {import('../support/leak-audit.mjs').Search} */
  let found;

  before(
    async () => {
      moto = await startMoto({ extraUsers: [TARGET_USER] });
      fake = await startScalewayFake();
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setAwsEndpoint(popup, moto.endpoint);
      await setScalewayEndpoint(popup, fake.url);
      const vault = await createVault(popup, PASSPHRASE);
      assert.equal(vault.ok, true, vault.error);
      // The signers are typed into the options page once, then live sealed in the vault.
      const aws = await addAwsSigner(browser, moto.signer);
      assert.equal(aws.kind, 'ok', aws.text);
      const scaleway = await addScalewaySigner(browser, fake.signer);
      assert.equal(scaleway.kind, 'ok', scaleway.text);
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => moto?.stop(), () => fake?.stop()));

  test('the flows: IAM access key, EC2 key pair, Scaleway API key, exports', async (t) => {
    const iam = await createAccessKey(popup, moto.signer, TARGET_USER);
    assert.equal(iam.kind, 'ok', iam.text);
    const accessKeyId = iam.fields['Access key ID'];
    const pair = await createKeyPair(popup, moto.signer, { region: 'eu-west-3', keyName: KEY_PAIR });
    assert.equal(pair.kind, 'ok', pair.text);
    const verified = await verifyScalewaySigner(popup, fake.signer);
    assert.equal(verified.kind, 'ok', verified.text);
    const scw = await createScalewayKey(popup, fake.signer, { for: 'self', description: 'leak audit' });
    assert.equal(scw.kind, 'ok', scw.text);
    const scwAccessKey = scw.fields['Access key'];

    const imported = await importText(
      popup,
      `export AWS_ACCESS_KEY_ID=${IMPORTED_ID}\nexport AWS_SECRET_ACCESS_KEY=${IMPORTED_SECRET}\n`,
    );
    assert.equal(imported.kind, 'ok', imported.text);

    await popup.locator('#entry-list > li').first().waitFor();
    const envLines = await exportEntry(popup, accessKeyId, 'export AWS_… lines');
    const iamSecret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(envLines)?.[1];
    assert.ok(iamSecret !== undefined && iamSecret.length >= 40, envLines);
    const pem = await exportEntry(popup, KEY_PAIR, 'Private key (.pem)');
    assert.match(pem, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const scwSecret = fake.apiKey(scwAccessKey).secret_key;
    const yaml = await exportEntry(popup, scwAccessKey, 'Scaleway config.yaml profile', 'default');
    assert.ok(yaml.includes(scwSecret), 'the Scaleway export lacks the secret');

    // Everything a thief would want, and where each may legitimately be seen.
    secretTexts.passphrase = PASSPHRASE;
    secretTexts['AWS signer secret'] = moto.signer.secretAccessKey;
    secretTexts['created IAM secret'] = iamSecret;
    secretTexts['Scaleway signer secret'] = fake.signer.secretKey;
    secretTexts['created Scaleway secret'] = scwSecret;
    secretTexts['imported secret'] = IMPORTED_SECRET;
    const pemParts = privateKeyParts('EC2 private key', pem);
    for (const { label, text } of pemParts) {
      secretTexts[label] = text;
    }
    t.diagnostic(`EC2 key: ${pem.split('\n')[0]}; searched parts: ${pemParts.length}`);
    // The audit run at every browser's close learns its secrets from the emulators and the
    // drivers; each one of this run must be among them, or that audit would miss it.
    const known = new Set(knownSecrets().map((secret) => secret.text));
    for (const [label, text] of Object.entries(secretTexts)) {
      assert.ok(known.has(text), `the shared leak audit does not know the ${label}`);
    }
    found = searcher(knownSecrets());

    // Hide the exports again, as the popup does after 30 s.
    const shown = popup.locator('.export-panel:not([hidden])');
    for (let left = await shown.count(); left > 0; left = await shown.count()) {
      await shown.first().getByRole('button', { name: 'Hide', exact: true }).click();
      await popup.waitForFunction((n) => document.querySelectorAll('.export-panel:not([hidden])').length < n, left);
    }
  });

  test('chrome.storage (local, session, sync) and IndexedDB hold none of them', async () => {
    assert.ok(found !== undefined, 'the flows did not run');
    const dump = await storageDump(popup);
    assert.ok(Object.keys(dump.local).some((key) => key.startsWith('keysmith.entry.')), 'no vault entry stored');
    for (const area of ['local', 'session', 'sync', 'databases']) {
      assert.deepEqual(found(JSON.stringify(dump[area])), [], `chrome.storage.${area}`);
    }
  });

  test("every page's DOM, a console page's included, holds none of them", async () => {
    const world = await contentScriptWorld(browser, {
      url: 'https://us-east-1.console.aws.amazon.com/iam/home',
      body: readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'aws-console.html'), 'utf8'),
      readySelector: 'html[data-keysmith-content="aws-console"]',
    });
    const pages = browser.context.pages();
    assert.ok(pages.length >= 2);
    for (const page of pages) {
      // DevTools' DOM snapshot: closed shadow roots (Keysmith's button) and field values included.
      const { light, shadow } = await domText(page);
      assert.deepEqual(found(`${light}\n${shadow}`), [], `DOM of ${page.url()}`);
    }
    // The snapshot reaches into closed shadow roots, such as those Keysmith's buttons live in.
    await world.page.evaluate(() => {
      const host = document.body.appendChild(document.createElement('div'));
      host.attachShadow({ mode: 'closed' }).textContent = 'closed-shadow-marker';
    });
    const { light, shadow } = await domText(world.page);
    assert.ok(shadow.includes('closed-shadow-marker') && !light.includes('closed-shadow-marker'), 'the DOM snapshot misses closed shadow roots');
    await world.page.close();
  });

  test('the console and service-worker logs hold none of them', async () => {
    // A refused message makes the worker log a line: proof that its log is being collected.
    assert.equal((await sendFromPage(popup, { type: 'leak-audit.nope' })).ok, false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(browser.consoleLines.some((line) => line.startsWith('worker: ')), 'no service-worker log was collected');
    assert.deepEqual(found(browser.consoleLines.join('\n')), [], 'console logs');
    assert.deepEqual(found(moto.logs()), [], "moto's own log");
  });

  test('the emulators received no AWS secret, and a Scaleway secret only as its own X-Auth-Token', () => {
    const awsRequests = moto.requests();
    assert.ok(awsRequests.length >= 3, `moto saw ${awsRequests.length} requests`);
    for (const { response: _answer, ...request } of awsRequests) {
      assert.deepEqual(found(JSON.stringify(request)), [], `request to moto: ${request.method} ${request.path}`);
    }
    const scwRequests = fake.audit();
    assert.ok(scwRequests.length >= 2, `the Scaleway fake saw ${scwRequests.length} requests`);
    for (const request of scwRequests) {
      const { 'x-auth-token': token, ...headers } = request.headers;
      // The options page's reachability check of a custom endpoint is a bare GET / (no token);
      // every API request carries the signer's secret key, and only in X-Auth-Token.
      if (!(request.method === 'GET' && request.path === '/' && token === undefined)) {
        assert.equal(token, fake.signer.secretKey, `${request.method} ${request.path} not signed by the signer`);
      }
      assert.deepEqual(found(JSON.stringify({ ...request, headers })), [], `request to the Scaleway fake: ${request.method} ${request.path}`);
    }
  });

  test('no file of the browser profile on disk holds any of them, once the browser is closed', async () => {
    // The shared audit of every browser's close (tests/support/leak-audit.mjs) searches the
    // profile's files once Chromium has closed, and throws on a find.
    const searched = await browser.close();
    browser = undefined;
    assert.ok(searched.files > 20, `only ${searched.files} files in the profile`);
    assert.ok(searched.secrets >= Object.keys(secretTexts).length, `only ${searched.secrets} secrets searched`);
  });
});
