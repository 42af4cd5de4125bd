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
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, launchExtension, openPopup, sendFromPage } from '../support/browser.mjs';
import { cleanUp } from '../support/cleanup.mjs';
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

/** The forms a secret can take where it could leak: as is, base64, base64url, UTF-16LE. */
function needles(label, secret) {
  const forms = [
    ['text', Buffer.from(secret, 'utf8')],
    ['base64', Buffer.from(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''), 'utf8')],
    ['base64url', Buffer.from(Buffer.from(secret, 'utf8').toString('base64url'), 'utf8')],
    ['utf16le', Buffer.from(secret, 'utf16le')],
  ];
  return forms.map(([form, bytes]) => ({ label: `${label} (${form})`, bytes }));
}

/**
 * The parts of a PEM private key that give it away: the private scalar when Node can read the
 * key (PKCS#8, PKCS#1), and every base64 body line but the first (which, in the OpenSSH and
 * PKCS#1 layouts, holds public parts the popup may show, such as the public key).
 */
function privateKeyParts(pem) {
  const parts = {};
  const lines = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  for (const [i, line] of lines.entries()) {
    if ((i > 0 || lines.length === 1) && line.length >= 40) {
      parts[`EC2 private key body line ${i}`] = line;
    }
  }
  try {
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    parts['EC2 private key scalar (base64url)'] = jwk.d;
  } catch {
    // OpenSSH's own layout: Node cannot read it; the body lines cover it.
  }
  return parts;
}

/** Every file under dir (symlinks and sockets skipped). */
function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...walk(full));
    } else if (entry.isFile()) {
      out.push(full);
    }
  }
  return out;
}

describe('leak audit: no secret outside the vault and its provider', { timeout: 300_000 }, () => {
  let moto;
  let fake;
  let browser;
  let popup;
  /** @type {{label: string, bytes: Buffer}[]} */
  const secrets = [];
  const secretTexts = {};
  const places = {};

  before(
    async () => {
      moto = await startMoto({ extraUsers: [TARGET_USER], recordRequests: true });
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
    Object.assign(secretTexts, privateKeyParts(pem));
    t.diagnostic(`EC2 key: ${pem.split('\n')[0]}; searched parts: ${Object.keys(privateKeyParts(pem)).length}`);
    for (const [label, text] of Object.entries(secretTexts)) {
      secrets.push(...needles(label, text));
    }

    // Hide the exports again, as the popup does after 30 s.
    const shown = popup.locator('.export-panel:not([hidden])');
    for (let left = await shown.count(); left > 0; left = await shown.count()) {
      await shown.first().getByRole('button', { name: 'Hide', exact: true }).click();
      await popup.waitForFunction((n) => document.querySelectorAll('.export-panel:not([hidden])').length < n, left);
    }
  });

  /** Which secrets occur in `haystack` (a string or bytes). */
  function found(haystack) {
    const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
    return secrets.filter(({ bytes: needle }) => bytes.includes(needle)).map(({ label }) => label);
  }

  test('chrome.storage (local, session, sync) and IndexedDB hold none of them', async () => {
    assert.ok(secrets.length > 0, 'the flows did not run');
    const dump = await popup.evaluate(async () => {
      const databases = [];
      for (const { name, version } of await indexedDB.databases()) {
        const db = await new Promise((resolve, reject) => {
          const open = indexedDB.open(name, version);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const stores = {};
        for (const store of db.objectStoreNames) {
          stores[store] = await new Promise((resolve) => {
            const all = db.transaction(store).objectStore(store).getAll();
            all.onsuccess = () => resolve(all.result);
          });
        }
        databases.push({ name, stores });
        db.close();
      }
      return {
        local: await chrome.storage.local.get(null),
        session: await chrome.storage.session.get(null),
        sync: await chrome.storage.sync.get(null),
        databases,
      };
    });
    assert.ok(Object.keys(dump.local).some((key) => key.startsWith('keysmith.entry.')), 'no vault entry stored');
    for (const area of ['local', 'session', 'sync', 'databases']) {
      assert.deepEqual(found(JSON.stringify(dump[area])), [], `chrome.storage.${area}`);
    }
    places.storage = Object.keys(dump.local).length;
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
      // The serialised DOM, plus every form field's current value (not in the serialisation).
      const dom = await page.evaluate(() => [
        document.documentElement.outerHTML,
        ...[...document.querySelectorAll('input, textarea')].map((field) => field.value),
      ].join('\n'));
      const where = await page.evaluate(() => [...document.querySelectorAll('textarea, input')].map((f) => [f.id, f.closest('[hidden]') !== null, f.value.length]));
      assert.deepEqual(found(dom), [], `DOM of ${page.url()} ${JSON.stringify(where)}`);
    }
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
    for (const request of awsRequests) {
      assert.deepEqual(found(JSON.stringify(request)), [], `request to moto: ${request.method} ${request.url}`);
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
    const hits = [];
    let files = 0;
    let bytes = 0;
    await browser.close({
      beforeRemove: (profileDir) => {
        for (const file of walk(profileDir)) {
          const size = statSync(file).size;
          if (size > 64 * 1024 * 1024) {
            continue; // caches of that size hold no page state; none exists in a test profile
          }
          const content = readFileSync(file);
          files += 1;
          bytes += content.length;
          for (const label of found(content)) {
            hits.push(`${path.relative(profileDir, file)}: ${label}`);
          }
        }
      },
    });
    browser = undefined;
    assert.ok(files > 20, `only ${files} files in the profile`);
    assert.deepEqual(hits, [], `secrets on disk (${files} files, ${bytes} bytes searched)`);
  });
});
