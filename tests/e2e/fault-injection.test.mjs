// Fault injection on "create and vault" (issue 9 item 2, AWS): the service worker is stopped
// through the DevTools protocol at each step (before the request, after AWS answered but before
// the sealed entry is stored, after storing but before the reply), the provider times out, and
// chrome.storage.local runs out of quota. Every run must end with the key in the vault, or
// reported as an orphan whose one-click delete works: never lost silently, never duplicated.
// Uses the test build's pause points (extension/src/background/test-pause.ts).
// Run: node --test tests/e2e/fault-injection.test.mjs

import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import {
  armPause,
  dumpStorage,
  launchExtension,
  openPopup,
  releasePause,
  screenshotPath,
  stopServiceWorker,
  waitForPause,
} from '../support/browser.mjs';
import { listedAccessKeyIds, loadCore } from '../support/core.mjs';
import { startMoto } from '../support/moto.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { addAwsSigner, setUpAwsSigner } from '../support/signer-driver.mjs';
import {
  clickCreateAccessKey,
  createAccessKey,
  createVault,
  deleteOrphan,
  unfinishedAction,
  listedEntries,
  setAwsEndpoint,
  unlockVault,
  waitForVaultState,
} from '../support/popup-driver.mjs';

const PASSPHRASE = 'granite lantern october sparrow';
const STEPS = ['before-request', 'after-provider', 'after-store'];
/** Longer than the core's 30 s fetch timeout. */
const PROXY_HOLD_MS = 40_000;

/**
 * A proxy in front of moto that forwards everything, but holds the answer to CreateAccessKey
 * (which moto has carried out) past the core's timeout: AWS did the work, the answer never came.
 */
async function startSlowProxy(target) {
  const held = [];
  const server = http.createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) {
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers });
    upstream.end(body);
    const [answer] = await once(upstream, 'response');
    const answerChunks = [];
    for await (const chunk of answer) {
      answerChunks.push(chunk);
    }
    const send = () => {
      if (!response.destroyed) {
        response.writeHead(answer.statusCode, answer.headers);
        response.end(Buffer.concat(answerChunks));
      }
    };
    if (body.toString().includes('Action=CreateAccessKey')) {
      held.push(setTimeout(send, PROXY_HOLD_MS));
    } else {
      send();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    stop: () => {
      held.forEach(clearTimeout);
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('fault injection on create and vault', { timeout: 400_000 }, () => {
  let moto;
  let proxy;
  let browser;
  let popup;
  let core;

  /** The user's access key ids as moto lists them, signed from Node. */
  const motoKeyIds = (userName) => listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, userName);

  async function pendingMarkers() {
    const { local } = await dumpStorage(popup);
    return Object.keys(local).filter((key) => key.startsWith('keysmith.pending.'));
  }

  async function vaultedIds() {
    await popup.locator('#entries-panel').waitFor();
    return (await listedEntries(popup)).map((entry) => entry.title);
  }



  async function fillStorage(leaveFreeBytes) {
    await popup.evaluate(async (leave) => {
      const free = chrome.storage.local.QUOTA_BYTES - (await chrome.storage.local.getBytesInUse(null));
      await chrome.storage.local.set({ 'test.filler': 'x'.repeat(Math.max(0, free - leave - 64)) });
    }, leaveFreeBytes);
  }

  async function emptyStorageFiller() {
    await popup.evaluate(() => chrome.storage.local.remove('test.filler'));
  }

  before(
    async () => {
      core = await loadCore();
      moto = await startMoto({ extraUsers: [...STEPS.map((step) => `fi-${step}`), 'fi-timeout', 'fi-full', 'fi-store', 'fi-closed-1', 'fi-closed-2'] });
      proxy = await startSlowProxy(moto.endpoint);
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setUpAwsSigner(browser, popup, { endpoint: moto.endpoint, passphrase: PASSPHRASE, signer: moto.signer });
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => proxy?.stop(), () => moto?.stop()));

  test('the manifest asks for no unlimitedStorage: chrome.storage.local has a quota', async () => {
    const quota = await popup.evaluate(() => ({
      quota: chrome.storage.local.QUOTA_BYTES,
      permissions: chrome.runtime.getManifest().permissions,
    }));
    assert.ok(!quota.permissions.includes('unlimitedStorage'));
    assert.ok(quota.quota >= 5 * 1024 * 1024, JSON.stringify(quota));
  });

  for (const step of STEPS) {
    test(`worker stopped at "${step}": the key ends up vaulted, or found as an orphan and deleted in one click`, async () => {
      const user = `fi-${step}`;
      await armPause(popup, step);
      await clickCreateAccessKey(popup, moto.signer, user);
      await waitForPause(popup, step);
      await stopServiceWorker(browser, popup);
      // The popup's request died with the worker; the next open starts a fresh worker.
      await popup.reload();
      const marker = popup.locator('#pending-list > li');
      await marker.waitFor();
      assert.match(await marker.innerText(), new RegExp(`A key may have been created for ${user} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC and not vaulted`));

      const inAws = await motoKeyIds(user);
      const check = await unfinishedAction(popup, moto.signer, `Check the keys of ${user}`);
      assert.equal(check.kind, 'ok', check.text);
      if (step === 'before-request') {
        assert.deepEqual(inAws, [], 'nothing was sent');
        assert.match(check.text, /No key made for fi-before-request since then is missing from the vault/);
      } else if (step === 'after-provider') {
        assert.equal(inAws.length, 1, 'AWS created the key');
        assert.match(check.text, /1 key of fi-after-provider is not in the vault/);
        const orphans = await popup.locator('#pending-list li li').evaluateAll((items) => items.map((li) => li.dataset.accessKeyId));
        assert.deepEqual(orphans, inAws);
        await popup.locator('#aws-unfinished').screenshot({ path: screenshotPath('e2e-orphan.png') });
        const done = await deleteOrphan(popup, moto.signer, inAws[0]);
        assert.match(done, new RegExp(`${inAws[0]} deleted in IAM; 0 keys left`));
        assert.deepEqual(await motoKeyIds(user), []);
      } else {
        assert.equal(inAws.length, 1);
        assert.match(check.text, /No key made for fi-after-store since then is missing from the vault/);
        const vaulted = (await vaultedIds()).filter((id) => id === inAws[0]);
        assert.equal(vaulted.length, 1, 'vaulted exactly once');
      }
      assert.deepEqual(await pendingMarkers(), [], 'every marker resolved');
      assert.equal(await popup.locator('#pending-list > li').count(), 0);
      // Never duplicated: at most one key in AWS, at most one entry per key.
      assert.ok((await motoKeyIds(user)).length <= 1);
    });
  }

  test('the provider timing out: a clear error, and the key AWS made anyway is found and deleted', { timeout: 120_000 }, async () => {
    await setAwsEndpoint(popup, proxy.endpoint);
    try {
      const result = await createAccessKey(popup, moto.signer, 'fi-timeout', { timeout: 60_000 });
      assert.equal(result.kind, 'error', result.text);
      assert.equal(result.errorCode, 'outcome_unknown');
      assert.match(result.text, /no answer within 30 s/);
      assert.match(result.text, /Unfinished creates/);
    } finally {
      await setAwsEndpoint(popup, moto.endpoint);
    }
    const inAws = await motoKeyIds('fi-timeout');
    assert.equal(inAws.length, 1);
    await popup.locator('#pending-list > li').waitFor();
    const check = await unfinishedAction(popup, moto.signer, 'Check the keys of fi-timeout');
    assert.match(check.text, /1 key of fi-timeout is not in the vault/);
    await deleteOrphan(popup, moto.signer, inAws[0]);
    assert.deepEqual(await motoKeyIds('fi-timeout'), []);
    assert.deepEqual(await pendingMarkers(), []);
  });

  test('storage nearly full: the create is refused before anything is made', async () => {
    await fillStorage(16 * 1024);
    try {
      const result = await createAccessKey(popup, moto.signer, 'fi-full');
      assert.equal(result.kind, 'error', result.text);
      assert.equal(result.errorCode, 'storage_full');
      assert.match(result.text, /nothing was created/);
    } finally {
      await emptyStorageFiller();
    }
    assert.deepEqual(await motoKeyIds('fi-full'), []);
    assert.deepEqual(await pendingMarkers(), []);
  });

  test('storage quota exceeded while storing the sealed entry: the new key is deleted again, nothing is left behind', async () => {
    await armPause(popup, 'after-provider');
    await clickCreateAccessKey(popup, moto.signer, 'fi-store');
    await waitForPause(popup, 'after-provider');
    assert.equal((await motoKeyIds('fi-store')).length, 1, 'AWS created the key');
    await fillStorage(0);
    try {
      await releasePause(popup);
      await popup.locator('#status[data-kind="error"]').waitFor({ timeout: 20_000 });
    } finally {
      await emptyStorageFiller();
    }
    const status = popup.locator('#status');
    assert.equal(await status.getAttribute('data-error-code'), 'storage_failed');
    assert.match(await status.innerText(), /could not be saved \(.*quota.*\); Keysmith deleted it again in IAM/i);
    assert.deepEqual(await motoKeyIds('fi-store'), []);
    assert.deepEqual(await pendingMarkers(), []);
    // And the next create works again.
    const retry = await createAccessKey(popup, moto.signer, 'fi-store');
    assert.equal(retry.kind, 'ok', retry.text);
  });

  test('the browser closed in the middle of a create: after reopening (vault locked), the key is vaulted once or found as an orphan', { timeout: 180_000 }, async () => {
    const profileDir = mkdtempSync(path.join(os.tmpdir(), 'keysmith-profile-'));
    let other;
    try {
      other = await launchExtension({ profileDir });
      let page = await openPopup(other);
      await setAwsEndpoint(page, moto.endpoint);
      assert.equal((await createVault(page, PASSPHRASE)).ok, true);
      assert.equal((await addAwsSigner(other, moto.signer)).kind, 'ok');
      for (const [user, step] of [
        ['fi-closed-1', 'after-provider'],
        ['fi-closed-2', 'after-store'],
      ]) {
        await armPause(page, step);
        await clickCreateAccessKey(page, moto.signer, user);
        await waitForPause(page, step);
        await other.close();
        other = await launchExtension({ profileDir });
        page = await openPopup(other);
        await waitForVaultState(page, 'locked');
        await page.locator('#pending-list > li').filter({ hasText: `created for ${user}` }).waitFor();
        const inAws = await motoKeyIds(user);
        assert.equal(inAws.length, 1, 'AWS made the key');
        assert.equal((await unlockVault(page, PASSPHRASE)).ok, true);
        const { text } = await unfinishedAction(page, moto.signer, `Check the keys of ${user}`);
        if (step === 'after-provider') {
          assert.match(text, new RegExp(`1 key of ${user} is not in the vault`));
          await deleteOrphan(page, moto.signer, inAws[0]);
          assert.deepEqual(await motoKeyIds(user), []);
        } else {
          assert.match(text, new RegExp(`No key made for ${user} since then is missing from the vault`));
          await page.locator('#entries-panel').waitFor();
          const titles = (await listedEntries(page)).map((entry) => entry.title);
          assert.equal(titles.filter((title) => title === inAws[0]).length, 1, 'vaulted exactly once');
        }
        const { local } = await dumpStorage(page);
        assert.deepEqual(Object.keys(local).filter((key) => key.startsWith('keysmith.pending.')), []);
      }
    } finally {
      await other?.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  });
});
