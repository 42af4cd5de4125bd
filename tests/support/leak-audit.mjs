// The leak audit (issue 9, item 4), run over every end-to-end suite: each browser the tests
// launch is audited when it closes (tests/support/browser.mjs close()), before its profile is
// deleted, and each audit writes a report that `tests/leak-audit-report.mjs` checks after the
// whole suite (every e2e file that launched a browser was audited, and nothing was found).
//
// What is searched for: every secret created or used in this test process, in the forms a secret
// can take where it could leak (text, base64, base64url, UTF-16LE):
//  - what the emulators issued: every SecretAccessKey, SessionToken and EC2 KeyMaterial in an
//    answer of moto (read from the recording proxy in front of it), and every Scaleway secret key
//    the fake issued; they register themselves with watchEmulator();
//  - what the tests hand to the extension: every passphrase given through the drivers or
//    sendFromPage, keys pasted into imports, keys a console fixture shows (rememberSecret()).
//
// Where: chrome.storage.local, .session and .sync, IndexedDB, the DOM of every open page
// (DevTools' DOM snapshot: closed shadow roots and form-field values included), the console and
// service-worker logs, every request the emulators received, the emulators' logs, and every file
// of the browser profile on disk once the browser has closed.
//
// Allowed, and nothing else:
//  - a secret shown by the extension because the user asked (a revealed secret, an open export
//    panel), on that extension page's DOM while it is shown (the profile on disk stays checked);
//  - a key a console page shows the user itself (the console's "shown once" step), in that
//    console page's own DOM; never inside Keysmith's shadow roots on that page;
//  - a Scaleway secret key as the X-Auth-Token header of a request to the Scaleway API, and an
//    AWS session token as the X-Amz-Security-Token header of a request to AWS;
//  - a created key in the body of a push to a secret manager (AWS Secrets Manager's
//    CreateSecret/PutSecretValue, Scaleway Secret Manager's versions), the push the user chose.

import { createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORT_DIR = path.join(repoRoot, 'test-results', 'leak-audit');
/** Shorter texts (a test's "short" passphrase) would match by chance; no real secret is this short. */
const MIN_SECRET_LENGTH = 12;
/** Files larger than this hold no page state in a test profile (there are none so far). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * @typedef {object} Secret
 * @property {string} label   where it came from (never the secret itself)
 * @property {string} text
 * @property {'passphrase' | 'provider' | 'session-token' | 'private-key'} kind
 *           provider: an access key's secret, a Scaleway secret key
 * @property {string} [shownOn]  the host of a console page that shows this key itself
 */

/** @type {Map<string, Secret>} by text */
const remembered = new Map();
/** @type {{secrets: () => Secret[], requestHits: (search: Search) => string[]}[]} */
const emulators = [];

/** Adds a secret the tests handed to the extension (a passphrase, a pasted key). */
export function rememberSecret(label, text, kind = 'provider', shownOn = undefined) {
  if (typeof text === 'string' && text.length >= MIN_SECRET_LENGTH && !remembered.has(text)) {
    remembered.set(text, { label, text, kind, shownOn });
  }
}

/**
 * Remembers the secrets in text pasted into an import (export lines, a credentials file, the
 * console's CSV, a Scaleway config): every word of 30 characters or more (access key ids are 20).
 */
export function rememberPastedSecrets(label, text) {
  for (const word of text.split(/[\s,=:"']+/)) {
    if (word.length >= 30) {
      rememberSecret(label, word);
    }
  }
}

/**
 * Remembers the secrets in a message a test sends to the worker: passphrase fields, a key's
 * secret fields (secretAccessKey, sessionToken, secretKey, at any depth), and the text of a
 * pasted import. Hostile tests' junk values count too: they must not come back out either.
 */
export function rememberMessageSecrets(message, where = message?.type) {
  if (message === null || typeof message !== 'object') {
    return;
  }
  for (const [field, value] of Object.entries(message)) {
    if (typeof value === 'object') {
      rememberMessageSecrets(value, where);
    } else if (typeof value !== 'string') {
      continue;
    } else if (/passphrase/i.test(field)) {
      rememberSecret(`passphrase (${field} of a ${where} message)`, value, 'passphrase');
    } else if (/^(secretAccessKey|sessionToken|secretKey)$/.test(field)) {
      rememberSecret(`${field} of a ${where} message`, value);
    } else if (field === 'text' && (where === 'vault.import' || where === 'signers.addAws')) {
      rememberPastedSecrets(`pasted into a ${where} message`, value);
    }
  }
}

/**
 * An emulator joins the audit: `secrets()` lists what it has issued so far (kept after it stops),
 * `requestHits(search)` checks what it received under its own rules and returns what it found.
 */
export function watchEmulator(emulator) {
  emulators.push(emulator);
}

/** The parts of a PEM/OpenSSH private key that give it away (what moto's KeyMaterial holds). */
export function privateKeyParts(label, pem) {
  /** @type {Secret[]} */
  const parts = [];
  const lines = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  for (const [i, line] of lines.entries()) {
    // The first body line of the OpenSSH and PKCS#1 layouts holds public parts the popup shows.
    if ((i > 0 || lines.length === 1) && line.length >= 40) {
      parts.push({ label: `${label}, body line ${i}`, text: line, kind: 'private-key' });
    }
  }
  try {
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    if (typeof jwk.d === 'string') {
      parts.push({ label: `${label}, private scalar (base64url)`, text: jwk.d, kind: 'private-key' });
    }
  } catch {
    // OpenSSH's own layout: Node cannot read it; the body lines cover it.
  }
  return parts;
}

/** Every secret of this test process so far, without duplicates. */
export function knownSecrets() {
  const all = new Map(remembered);
  for (const emulator of emulators) {
    for (const secret of emulator.secrets()) {
      if (secret.text.length >= MIN_SECRET_LENGTH && !all.has(secret.text)) {
        all.set(secret.text, secret);
      }
    }
  }
  return [...all.values()];
}

/** The forms a secret can take where it could leak: as is, base64, base64url, UTF-16LE. */
function formsOf(text) {
  const utf8 = Buffer.from(text, 'utf8');
  return [
    ['text', utf8],
    ['base64', Buffer.from(utf8.toString('base64').replace(/=+$/, ''), 'utf8')],
    ['base64url', Buffer.from(utf8.toString('base64url'), 'utf8')],
    ['utf16le', Buffer.from(text, 'utf16le')],
  ];
}

/**
 * @callback Search
 * @param {string | Buffer} haystack
 * @param {(secret: Secret) => boolean} [allowed]  secrets that may be there
 * @returns {string[]}  the labels (and forms) found
 */

/** A search over `secrets`: which occur in a haystack, in any of their forms. */
export function searcher(secrets) {
  const needles = secrets.flatMap((secret) => formsOf(secret.text).map(([form, bytes]) => ({ secret, form, bytes })));
  /** @type {Search} */
  const search = (haystack, allowed = () => false) => {
    const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
    return needles
      .filter(({ secret, bytes: needle }) => !allowed(secret) && bytes.includes(needle))
      .map(({ secret, form }) => `${secret.label} (${form})`);
  };
  return search;
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

/** chrome.storage.local/session/sync and every IndexedDB database, read from an extension page. */
export async function storageDump(page) {
  return page.evaluate(async () => {
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
}

/**
 * The text of a page's whole DOM, from DevTools' DOM snapshot (which a page cannot hide from:
 * closed shadow roots, iframes and the current values of form fields are all in it), split into
 * what is inside a shadow root (Keysmith's buttons and toasts on a console page) and the rest.
 */
export async function domText(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { documents, strings } = await cdp.send('DOMSnapshot.captureSnapshot', { computedStyles: [] });
    const at = (index) => (index >= 0 ? strings[index] : '');
    const light = [];
    const shadow = [];
    for (const { nodes } of documents) {
      const inShadow = new Array(nodes.parentIndex.length).fill(false);
      const shadowRoots = new Set(nodes.shadowRootType?.index ?? []);
      const extra = new Map();
      for (const rare of [nodes.inputValue, nodes.textValue]) {
        for (const [i, node] of (rare?.index ?? []).entries()) {
          extra.set(node, `${extra.get(node) ?? ''}\n${at(rare.value[i])}`);
        }
      }
      for (let node = 0; node < nodes.parentIndex.length; node += 1) {
        const parent = nodes.parentIndex[node];
        // Parents come before their children in the snapshot.
        inShadow[node] = shadowRoots.has(node) || (parent >= 0 && inShadow[parent]);
        const text = [
          at(nodes.nodeValue[node]),
          ...(nodes.attributes[node] ?? []).map(at),
          extra.get(node) ?? '',
        ].join('\n');
        (inShadow[node] ? shadow : light).push(text);
      }
    }
    return { light: light.join('\n'), shadow: shadow.join('\n') };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** What an extension page shows because the user asked: revealed secrets, open export panels. */
async function shownOnRequest(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.reveal-panel:not([hidden]), .export-panel:not([hidden])')]
      .map((panel) => [panel.textContent, ...[...panel.querySelectorAll('textarea, input')].map((field) => field.value)].join('\n'))
      .join('\n'),
  );
}

/**
 * Audits an open browser (storage, every page's DOM, the logs, the emulators' requests), then,
 * through `closeAndKeepProfile`, closes it and searches every file of its profile. Throws if
 * anything was found; writes a report to test-results/leak-audit/ either way.
 * @param {import('./browser.mjs').ExtensionBrowser} browser
 * @param {() => Promise<void>} closeBrowser  closes Chromium (the profile stays until this returns)
 */
export async function auditAndClose(browser, closeBrowser) {
  const started = Date.now();
  const secrets = knownSecrets();
  const search = searcher(secrets);
  const hits = [];
  const counts = { secrets: secrets.length, pages: 0, storageKeys: 0, logLines: browser.consoleLines.length, files: 0, bytes: 0, ms: 0 };
  const origin = `chrome-extension://${browser.extensionId}`;
  let closeMs = 0;
  try {
    const open = browser.context.pages().filter((page) => !page.isClosed());
    // Storage, read from an extension page (one of the test's, or a blank one of ours).
    let reader = open.find((page) => page.url().startsWith(`${origin}/`));
    const ownReader = reader === undefined;
    if (ownReader) {
      reader = await browser.context.newPage();
      await reader.goto(`${origin}/manifest.json`);
    }
    const dump = await storageDump(reader);
    counts.storageKeys = Object.keys(dump.local).length + Object.keys(dump.session).length + Object.keys(dump.sync).length;
    for (const area of ['local', 'session', 'sync', 'databases']) {
      hits.push(...search(JSON.stringify(dump[area])).map((label) => `chrome.storage.${area}: ${label}`));
    }
    if (ownReader) {
      await reader.close();
    }
    for (const page of open) {
      const url = page.url();
      if (url === 'about:blank') {
        continue;
      }
      counts.pages += 1;
      const { light, shadow } = await domText(page);
      let allowed = () => false;
      if (url.startsWith(`${origin}/`)) {
        const shown = await shownOnRequest(page);
        allowed = (secret) => shown.includes(secret.text);
      } else if (/^https?:/.test(url)) {
        const host = new URL(url).host;
        allowed = (secret) => secret.shownOn === host;
      }
      hits.push(...search(light, allowed).map((label) => `DOM of ${url}: ${label}`));
      hits.push(...search(shadow).map((label) => `shadow DOM of ${url}: ${label}`));
    }
    hits.push(...search(browser.consoleLines.join('\n')).map((label) => `console log: ${label}`));
    for (const emulator of emulators) {
      hits.push(...emulator.requestHits(search));
    }
  } finally {
    const closing = Date.now();
    await closeBrowser();
    closeMs = Date.now() - closing;
  }
  for (const file of walk(browser.profileDir)) {
    if (statSync(file).size > MAX_FILE_BYTES) {
      continue;
    }
    const content = readFileSync(file);
    counts.files += 1;
    counts.bytes += content.length;
    hits.push(...search(content).map((label) => `profile file ${path.relative(browser.profileDir, file)}: ${label}`));
  }
  // The audit's own time: the whole close but Chromium's shutdown.
  counts.ms = Date.now() - started - closeMs;
  writeReport({ ...counts, searched: secrets.map((secret) => secret.label) }, hits);
  if (hits.length > 0) {
    throw new Error(`leak audit: ${hits.length} secret(s) found where none may be:\n  ${[...new Set(hits)].join('\n  ')}`);
  }
  return counts;
}

let reportCount = 0;

/** test-results/leak-audit/<test file>.<pid>.<n>.json: what was searched, and what was found. */
function writeReport(counts, hits) {
  mkdirSync(REPORT_DIR, { recursive: true });
  const suite = path.relative(repoRoot, process.argv[1] ?? 'unknown');
  reportCount += 1;
  const name = `${suite.replaceAll(/[^A-Za-z0-9.-]/g, '_')}.${process.pid}.${reportCount}.json`;
  writeFileSync(path.join(REPORT_DIR, name), `${JSON.stringify({ suite, ...counts, hits }, null, 2)}\n`);
}
