// Hostile messages (issue #9, item 5): random and malformed runtime messages to the service
// worker from an extension page, from Keysmith's own content script inside a console page, from
// a web page and from a second extension. Every one is refused with an error; afterwards the
// worker still answers, the vault is as it was (same storage, same passphrase, no entry), and no
// prototype was polluted.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, dumpStorage, launchExtension, openPopup, sendFromPage } from '../support/browser.mjs';
import { repoRoot } from '../support/moto.mjs';
import { createVault, waitForVaultState } from '../support/popup-driver.mjs';

const PASSPHRASE = 'hostile messages passphrase 7431';
const AWS_CONSOLE_URL = 'https://us-east-1.console.aws.amazon.com/iam/home';
const BAD = new Set(['bad_request', 'sender_not_allowed']);

/** The message types and every field name any message may carry, read from the contracts. */
function contracts() {
  const source = ['messages.ts', 'scaleway-messages.ts']
    .map((file) => readFileSync(path.join(repoRoot, 'extension', 'src', 'shared', file), 'utf8'))
    .join('\n');
  const block = /export const SENDER_REQUIREMENT[^{]*\{([\s\S]*?)\n\};/.exec(source);
  assert.ok(block, 'SENDER_REQUIREMENT not found in messages.ts');
  const types = [...block[1].matchAll(/'([\w.]+)'\s*:|^\s*(\w+)\s*:/gm)].map((m) => m[1] ?? m[2]);
  const fields = new Set();
  for (const list of source.matchAll(/dict\([^[]*\[([^\]]*)\]/g)) {
    for (const name of list[1].matchAll(/'(\w+)'/g)) {
      fields.add(name[1]);
    }
  }
  fields.delete('type');
  return { types, fields: [...fields] };
}

// A small deterministic PRNG (mulberry32), so a failure can be replayed with the same seed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE = 'A'.repeat((1 << 21) + 1); // past every size limit (the largest is 1 MiB)
const POLLUTERS = ['__proto__', 'constructor', 'prototype'];

/** Values that are valid for no field of any message. */
function junkValues() {
  return [
    null,
    true,
    -1,
    [],
    [[['deep']]],
    {},
    JSON.parse('{"__proto__": {"keysmithPolluted": true}}'),
    { constructor: { prototype: { keysmithPolluted: true } } },
    nest(200),
  ];
}

function nest(depth) {
  let value = { end: true };
  for (let i = 0; i < depth; i += 1) {
    value = { next: value, list: [i] };
  }
  return value;
}

function randomValue(random, fields, depth = 0) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  switch (Math.floor(random() * (depth > 3 ? 5 : 7))) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick([0, -1, 1e308, -0.5, 2 ** 53, Number.MAX_SAFE_INTEGER]);
    case 3: {
      const length = pick([0, 1, 8, 300, 5000]);
      const alphabet = ['a', 'é', '\u0000', '"', '\\', '\n', '\ud83d\ude00', '<', 'keysmith.entry.', '../'];
      return Array.from({ length }, () => pick(alphabet)).join('');
    }
    case 4:
      return pick(['keysmith.entry.00000000000000000000000000000000', 'ini', 'AKIA' + 'A'.repeat(16), '']);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, fields, depth + 1));
    default: {
      const object = {};
      for (let i = Math.floor(random() * 4); i > 0; i -= 1) {
        object[pick([...fields, ...POLLUTERS, 'x'])] = randomValue(random, fields, depth + 1);
      }
      return object;
    }
  }
}

/**
 * Messages that no contract accepts: not objects, bad types, every field of every message set to
 * a junk value, a huge field, and random messages that always carry one key no message has.
 */
function hostileMessages({ types, fields }, seed) {
  const messages = [
    null, 42, 'ping', [], [{ type: 'ping' }], true, {},
    { type: 42 }, { type: null }, { type: ['ping'] }, { type: { toString: 'ping' } },
    { type: 'nope' }, { type: '' }, { type: 'ping'.repeat(100_000) },
    { type: '__proto__' }, { type: 'constructor' }, { type: 'toString' }, { type: 'hasOwnProperty' },
    JSON.parse('{"type": "ping", "__proto__": {"keysmithPolluted": true}}'),
    { type: 'vault.status', constructor: { prototype: { keysmithPolluted: true } } },
  ];
  messages.push(
    { type: 'vault.import', text: HUGE },
    { type: 'vault.unlock', passphrase: HUGE },
    { type: 'vault.create', passphrase: HUGE },
    { type: 'aws.sign', request: { method: 'GET', url: 'https://iam.amazonaws.com/', headers: [], body: HUGE } },
  );
  for (const type of types) {
    messages.push({ type, unexpected: 1 });
    for (const junk of junkValues()) {
      messages.push({ type, ...Object.fromEntries(fields.map((field) => [field, junk])) });
    }
  }
  const random = prng(seed);
  for (let i = 0; i < 300; i += 1) {
    const message = randomValue(random, fields, 1);
    const object = typeof message === 'object' && message !== null && !Array.isArray(message) ? message : {};
    object.type = random() < 0.9 ? types[Math.floor(random() * types.length)] : randomValue(random, fields, 3);
    object[`junk${i}`] = randomValue(random, fields, 2);
    messages.push(object);
  }
  return messages;
}

function assertRefused(reply, message) {
  const shown = JSON.stringify(message)?.slice(0, 200);
  assert.equal(reply?.ok, false, `accepted: ${shown} → ${JSON.stringify(reply)?.slice(0, 300)}`);
  assert.ok(BAD.has(reply.error.code), `unexpected code ${reply.error.code} for ${shown}`);
  assert.equal(typeof reply.error.message, 'string');
  assert.ok(reply.error.message.length < 2000, 'the error echoes the input back');
}

describe('hostile messages to the service worker', () => {
  const seed = Number(process.env.KEYSMITH_HOSTILE_SEED ?? 9);
  const contract = contracts();
  let browser;
  let popup;
  let otherDir;
  let storageBefore;

  before(async () => {
    // A second extension, built here: a page that can message Keysmith by id.
    otherDir = mkdtempSync(path.join(os.tmpdir(), 'keysmith-hostile-ext-'));
    writeFileSync(
      path.join(otherDir, 'manifest.json'),
      JSON.stringify({ manifest_version: 3, name: 'Hostile', version: '1.0', background: { service_worker: 'hostile-worker.js' } }),
    );
    writeFileSync(path.join(otherDir, 'hostile-worker.js'), 'self.addEventListener("install", () => {});\n');
    writeFileSync(path.join(otherDir, 'page.html'), '<!doctype html><title>hostile</title><p>hostile</p>\n');
    browser = await launchExtension({ extraExtensions: [otherDir] });
    popup = await openPopup(browser);
    const created = await createVault(popup, PASSPHRASE);
    assert.equal(created.ok, true, created.error);
    await waitForVaultState(popup, 'unlocked');
    storageBefore = await dumpStorage(popup);
    assert.ok(contract.types.length >= 20 && contract.types.includes('vault.export'), contract.types.join());
    assert.ok(contract.fields.includes('passphrase') && contract.fields.includes('storageKey'), contract.fields.join());
  });

  after(async () => {
    await browser?.close();
    if (otherDir !== undefined) {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  test('from an extension page: every malformed or random message is refused', async () => {
    const messages = hostileMessages(contract, seed);
    // As JSON text: runtime messages are JSON-serialised anyway, and Playwright's own argument
    // serialiser stalls on the deep, shared junk values.
    const replies = await popup.evaluate(async (json) => {
      const out = [];
      for (const message of JSON.parse(json)) {
        try {
          out.push(await Promise.race([
            chrome.runtime.sendMessage(message),
            new Promise((resolve) => setTimeout(() => resolve({ timedOut: true }), 5000)),
          ]));
        } catch (error) {
          out.push({ thrown: String(error) });
        }
      }
      return out;
    }, JSON.stringify(messages));
    assert.equal(replies.length, messages.length);
    for (const [i, reply] of replies.entries()) {
      assertRefused(reply, messages[i]);
    }
  });

  test("from Keysmith's content script in a console page: refused, only ping and vault.status answer", async () => {
    const world = await contentScriptWorld(browser, {
      url: AWS_CONSOLE_URL,
      body: readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'aws-console.html'), 'utf8'),
      readySelector: 'html[data-keysmith-content="aws-console"]',
    });
    const messages = hostileMessages(contract, seed + 1).slice(0, 400);
    const replies = await world.evaluate(`(async () => {
      const out = [];
      for (const message of JSON.parse(${JSON.stringify(JSON.stringify(messages))})) {
        try { out.push(await chrome.runtime.sendMessage(message)); } catch (error) { out.push({ thrown: String(error) }); }
      }
      return out;
    })()`);
    for (const [i, reply] of replies.entries()) {
      assertRefused(reply, messages[i]);
    }
    // Well-formed privileged messages are refused for the sender, before anything is parsed.
    // vault.fileState (what a replace would lose) is for the options page only, like the vault file.
    for (const message of [
      { type: 'vault.list' },
      { type: 'vault.lock' },
      { type: 'vault.unlock', passphrase: PASSPHRASE },
      { type: 'vault.fileState' },
      { type: 'vault.exportFile' },
    ]) {
      const reply = await world.send(message);
      assert.equal(reply.error?.code, 'sender_not_allowed', JSON.stringify(reply));
    }
    assert.equal((await world.send({ type: 'ping' })).ok, true);
    await world.page.close();
  });

  test('a web page has no channel to Keysmith, and no Keysmith content script runs on it', async () => {
    const page = await browser.context.newPage();
    await page.route('https://example.org/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>web</title><p>web page</p>' }),
    );
    const cdp = await browser.context.newCDPSession(page);
    const contexts = [];
    cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
    await cdp.send('Runtime.enable');
    await page.goto('https://example.org/');
    const outcome = await page.evaluate(async (id) => {
      const runtime = globalThis.chrome?.runtime;
      if (runtime?.sendMessage === undefined) {
        return 'no chrome.runtime.sendMessage';
      }
      try {
        return JSON.stringify(await runtime.sendMessage(id, { type: 'vault.list' }));
      } catch (error) {
        return `threw: ${error}`;
      }
    }, browser.extensionId);
    assert.equal(outcome, 'no chrome.runtime.sendMessage');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ours = contexts.filter((context) => context.origin === `chrome-extension://${browser.extensionId}`);
    assert.deepEqual(ours, [], 'a Keysmith content script runs on a non-console page');
    await page.close();
  });

  test('a second extension gets no answer, whatever it sends', async () => {
    const worker = browser.context.serviceWorkers().find((w) => w.url().endsWith('/hostile-worker.js'));
    assert.ok(worker, 'the second extension did not load');
    const otherId = new URL(worker.url()).host;
    assert.notEqual(otherId, browser.extensionId);
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${otherId}/page.html`);
    const messages = [{ type: 'ping' }, { type: 'vault.list' }, { type: 'vault.unlock', passphrase: PASSPHRASE }, ...hostileMessages(contract, seed + 2).slice(0, 50)];
    const outcomes = await page.evaluate(
      async ({ id, json }) => {
        const out = [];
        for (const message of JSON.parse(json)) {
          try {
            out.push(`answered: ${JSON.stringify(await chrome.runtime.sendMessage(id, message))}`);
          } catch (error) {
            out.push(`threw: ${error.message}`);
          }
        }
        const port = chrome.runtime.connect(id);
        const disconnected = await new Promise((resolve) => {
          port.onDisconnect.addListener(() => resolve(chrome.runtime.lastError?.message ?? 'disconnected'));
          port.postMessage({ type: 'vault.list' });
          setTimeout(() => resolve('still connected'), 3000);
        });
        out.push(`port: ${disconnected}`);
        return out;
      },
      { id: browser.extensionId, json: JSON.stringify(messages) },
    );
    for (const outcome of outcomes.slice(0, -1)) {
      assert.match(outcome, /^threw: Could not establish connection\. Receiving end does not exist\./, outcome);
    }
    assert.match(outcomes.at(-1), /^port: (?!still connected)/);
    await page.close();
  });

  test('afterwards the worker serves, the vault is unchanged and no prototype is polluted', async () => {
    assert.equal((await sendFromPage(popup, { type: 'ping' })).ok, true);
    const status = await sendFromPage(popup, { type: 'vault.status' });
    assert.equal(status.ok, true);
    assert.equal(status.result.exists, true);
    assert.equal(status.result.unlocked, true, 'a refused message locked the vault');
    assert.equal(status.result.entryCount, 0);
    const storageAfter = await dumpStorage(popup);
    assert.deepEqual(Object.keys(storageAfter.local).sort(), Object.keys(storageBefore.local).sort());
    assert.deepEqual(storageAfter.local, storageBefore.local, 'chrome.storage.local changed');
    const polluted = await browser.serviceWorker.evaluate(() => [
      Object.prototype.keysmithPolluted,
      Object.getOwnPropertyNames(Object.prototype).length,
    ]);
    assert.deepEqual(polluted, [undefined, 12]);
    // Still the same passphrase: lock, then unlock with it.
    assert.equal((await sendFromPage(popup, { type: 'vault.lock' })).ok, true);
    const wrong = await sendFromPage(popup, { type: 'vault.unlock', passphrase: 'not the passphrase' });
    assert.equal(wrong.ok, false);
    const unlocked = await sendFromPage(popup, { type: 'vault.unlock', passphrase: PASSPHRASE });
    assert.equal(unlocked.ok, true, JSON.stringify(unlocked));
    assert.equal(unlocked.result.unlocked, true);
  });
});
