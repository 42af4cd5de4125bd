// Concurrency (issue 9 item 3), in real Chromium against moto with signature checking on:
// 20 create-and-vault actions fired at once from 3 extension tabs (20 sealed entries, no loss,
// no corruption, each vaulted secret real); the same burst with the service worker stopped in
// the middle (every key AWS made ends vaulted or reported as an orphan, never lost, never
// duplicated); a lock arriving with a burst (each create vaulted, or refused having made
// nothing); an alarm firing during an unlock; unlock racing the auto-lock alarm (the state is
// always consistent, and an unlock after it always works); a passphrase change in the middle of a
// burst, with one create sealed before the header is rewritten and stored after (every create
// vaulted once, every entry opens with the new passphrase, the old one no longer unlocks); and a
// vault-file import replacing the vault (another key pair) while a create signed by the old vault
// is held after AWS answered (each create runs wholly before or after the import, and every entry
// left opens with the file's key: see extension/src/background/vault-gate.ts). Two windows
// changing settings at once: tests/e2e/options.test.mjs.
// Run: node --test tests/e2e/concurrency.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  armPause,
  dumpStorage,
  launchExtension,
  openPopup,
  releasePause,
  sendFromPage,
  stopServiceWorker,
  waitForPause,
} from '../support/browser.mjs';
import { assertSignsAs, listedAccessKeyIds, loadCore } from '../support/core.mjs';
import { startMoto } from '../support/moto.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { setUpAwsSigner } from '../support/signer-driver.mjs';

const PASSPHRASE = 'harbour quartz nimble fjord';
const AUTO_LOCK_ALARM = 'keysmith.autolock';
const ENTRY_PREFIX = 'keysmith.entry.';
const PENDING_PREFIX = 'keysmith.pending.';
const PARKED_KEY = 'keysmith.unlocked';
const HEADER_KEY = 'keysmith.vault';
/** IAM allows two access keys per user: 10 users × 2 keys = 20 creates per burst. */
const BURST_USERS = Array.from({ length: 10 }, (_, i) => `cc-burst-${i}`);
const STOP_USERS = Array.from({ length: 10 }, (_, i) => `cc-stop-${i}`);
const LOCK_USERS = Array.from({ length: 5 }, (_, i) => `cc-lock-${i}`);
const CHANGE_USERS = Array.from({ length: 5 }, (_, i) => `cc-change-${i}`);
/** Creates signed by the vault being replaced, and by the vault in the imported file. */
const IMPORT_OLD_USERS = Array.from({ length: 5 }, (_, i) => `cc-import-old-${i}`);
const IMPORT_NEW_USERS = Array.from({ length: 3 }, (_, i) => `cc-import-new-${i}`);
const NEW_PASSPHRASE = 'lantern basalt orchid meridian';
const FILE_PASSPHRASE = 'copper tundra whistle ember';
/** Error codes a vault message may answer while the vault is (being) locked. */
const LOCKED_CODES = new Set(['locked', 'vault_locked']);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The create messages of one burst: two per user, spread over the tabs in turn. */
function burst(users, signerId) {
  return users.flatMap((userName) => [0, 1].map(() => ({ type: 'aws.createAccessKey', signerId, userName })));
}

describe('concurrency', { timeout: 400_000 }, () => {
  let moto;
  let browser;
  /** A second browser, where the vault file imported in the last test is made. */
  let fileBrowser;
  let core;
  let signerId;
  /** Three extension tabs (popup.html) the messages are sent from. */
  let tabs;

  async function ok(page, message) {
    const reply = await sendFromPage(page, message);
    assert.equal(reply?.ok, true, `${message.type}: ${JSON.stringify(reply)}`);
    return reply.result;
  }

  async function storageKeys(prefix) {
    const { local } = await dumpStorage(tabs[0]);
    return Object.keys(local).filter((key) => key.startsWith(prefix));
  }

  /** The vault's AWS access key entries (opened by the core) as accessKeyId → storage keys. */
  async function vaultedByKeyId() {
    const { entries } = await ok(tabs[0], { type: 'vault.list' });
    assert.deepEqual(entries.filter((entry) => 'error' in entry), [], 'an entry could not be opened');
    const byKeyId = new Map();
    for (const entry of entries.filter((e) => e.kind === 'aws_access_key')) {
      byKeyId.set(entry.accessKeyId, [...(byKeyId.get(entry.accessKeyId) ?? []), entry.storageKey]);
    }
    return { byKeyId, entries };
  }

  /** The vaulted secret of `storageKey` signs GetCallerIdentity at moto as `userName` (and a changed one does not). */
  async function assertSecretIsReal(storageKey, accessKeyId, userName) {
    const { text } = await ok(tabs[1], { type: 'vault.export', storageKey, format: 'aws-env' });
    const secretAccessKey = /AWS_SECRET_ACCESS_KEY=['"]?([^'"\s]+)/.exec(text)?.[1];
    assert.ok(secretAccessKey !== undefined, 'the export has no secret');
    await assertSignsAs(core, moto, { accessKeyId, secretAccessKey }, userName);
  }

  async function motoKeys(users) {
    const byUser = new Map();
    for (const user of users) {
      byUser.set(user, await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, user));
    }
    return byUser;
  }

  before(
    async () => {
      core = await loadCore();
      moto = await startMoto({ extraUsers: [...BURST_USERS, ...STOP_USERS, ...LOCK_USERS, ...CHANGE_USERS, ...IMPORT_OLD_USERS, ...IMPORT_NEW_USERS] });
      browser = await launchExtension();
      const first = await openPopup(browser);
      signerId = await setUpAwsSigner(browser, first, { endpoint: moto.endpoint, passphrase: PASSPHRASE, signer: moto.signer });
      tabs = [first, await openPopup(browser), await openPopup(browser)];
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => fileBrowser?.close(), () => browser?.close(), () => moto?.stop()));

  test('20 creates fired at once from 3 tabs: 20 distinct sealed entries, all real, nothing left pending', async () => {
    const entriesBefore = new Set(await storageKeys(ENTRY_PREFIX));
    const messages = burst(BURST_USERS, signerId);
    const started = Date.now();
    const replies = await Promise.all(messages.map((message, i) => sendFromPage(tabs[i % tabs.length], message)));
    const burstMs = Date.now() - started;
    for (const reply of replies) {
      assert.equal(reply?.ok, true, JSON.stringify(reply));
    }
    const created = replies.map((reply) => reply.result);
    const ids = created.map((c) => c.accessKeyId);
    assert.equal(new Set(ids).size, 20, `duplicate access key ids in the replies: ${ids}`);
    for (const [i, c] of created.entries()) {
      assert.equal(c.userName, messages[i].userName);
    }

    // Storage: exactly 20 new sealed entries, one per reply, and no marker left.
    const newEntries = (await storageKeys(ENTRY_PREFIX)).filter((key) => !entriesBefore.has(key)).sort();
    assert.deepEqual(newEntries, created.map((c) => ENTRY_PREFIX + c.entryId).sort());
    assert.deepEqual(await storageKeys(PENDING_PREFIX), [], 'a pending-create marker was left behind');
    assert.deepEqual((await ok(tabs[2], { type: 'aws.pendingCreates' })), []);

    // The vault opens each one to its own key id, exactly once.
    const { byKeyId } = await vaultedByKeyId();
    for (const c of created) {
      assert.deepEqual(byKeyId.get(c.accessKeyId), [ENTRY_PREFIX + c.entryId], `${c.accessKeyId} vaulted ${byKeyId.get(c.accessKeyId)?.length ?? 0} times`);
    }

    // The provider's view: exactly those 20 keys, two per user.
    const listed = await motoKeys(BURST_USERS);
    for (const user of BURST_USERS) {
      const mine = created.filter((c) => c.userName === user).map((c) => c.accessKeyId).sort();
      assert.deepEqual(listed.get(user), mine, `moto's keys of ${user}`);
    }

    // Locking and unlocking still works on the vault that took the burst.
    await ok(tabs[0], { type: 'vault.lock' });
    const unlocked = await ok(tabs[1], { type: 'vault.unlock', passphrase: PASSPHRASE });
    assert.equal(unlocked.unlocked, true);
    assert.equal(unlocked.entryCount, entriesBefore.size + 20);

    // Every vaulted secret is the real one: it signs GetCallerIdentity as its user.
    for (const c of created) {
      await assertSecretIsReal(ENTRY_PREFIX + c.entryId, c.accessKeyId, c.userName);
    }
    console.info(`concurrency: 20 parallel create-and-vault from 3 tabs in ${burstMs} ms`);
  });

  test('the same burst with the service worker stopped in the middle: every key vaulted or reported as an orphan', async () => {
    const entriesBefore = new Set(await storageKeys(ENTRY_PREFIX));
    // Hold one create after AWS answered, so the stop surely catches at least one in flight.
    await armPause(tabs[0], 'after-provider');
    const messages = burst(STOP_USERS, signerId);
    const settled = Promise.allSettled(messages.map((message, i) => sendFromPage(tabs[i % tabs.length], message)));
    await waitForPause(tabs[0], 'after-provider');
    await stopServiceWorker(browser, tabs[0]);
    const outcomes = await settled;
    // The held create died with its worker: clear what its pause point left in session storage.
    await tabs[0].evaluate(() => chrome.storage.session.remove(['keysmith.test.pausedAt', 'keysmith.test.release']));

    const okReplies = outcomes.filter((o) => o.status === 'fulfilled' && o.value?.ok).map((o) => o.value.result);
    const failed = outcomes.filter((o) => !(o.status === 'fulfilled' && o.value?.ok));
    for (const o of failed) {
      // A create cut short by the stop: its message channel closed, or an answer saying so.
      const why = o.status === 'rejected' ? String(o.reason) : JSON.stringify(o.value);
      assert.match(why, /message channel closed|message port closed|Receiving end does not exist|outcome_unknown|context/i, why);
    }
    assert.ok(failed.length >= 1, 'the stop cut no create short');

    // A fresh worker resumes the unlocked vault (the parked key) and answers.
    const status = await ok(tabs[1], { type: 'vault.status' });
    assert.equal(status.unlocked, true, 'the restarted worker did not resume the unlocked vault');

    const inAws = await motoKeys(STOP_USERS);
    const allInAws = [...inAws.values()].flat();
    assert.equal(new Set(allInAws).size, allInAws.length);
    assert.ok(allInAws.length <= 20, `more keys than creates: ${allInAws.length}`);
    const { byKeyId } = await vaultedByKeyId();
    // Never duplicated: no key id is in the vault twice; every "ok" reply is vaulted.
    for (const [keyId, keys] of byKeyId) {
      assert.equal(keys.length, 1, `${keyId} is vaulted ${keys.length} times`);
    }
    for (const c of okReplies) {
      assert.deepEqual(byKeyId.get(c.accessKeyId), [ENTRY_PREFIX + c.entryId]);
    }
    const newEntries = (await storageKeys(ENTRY_PREFIX)).filter((key) => !entriesBefore.has(key));
    const vaultedHere = allInAws.filter((id) => byKeyId.has(id));
    assert.equal(newEntries.length, vaultedHere.length, 'a new entry holds no key that AWS has');

    // Never lost: every key AWS made and the vault lacks is reported by an orphan check.
    const stale = await ok(tabs[2], { type: 'aws.pendingCreates' });
    assert.ok(stale.length >= 1, 'no unfinished create was reported after the stop');
    const reportedOrphans = new Map();
    for (const marker of stale) {
      assert.ok(STOP_USERS.includes(marker.userName), JSON.stringify(marker));
      const check = await ok(tabs[2], { type: 'aws.findOrphans', signerId, markerId: marker.id });
      for (const key of check.keys.filter((k) => !k.inVault && !k.isSigner && k.newerThanMarker)) {
        reportedOrphans.set(key.accessKeyId, marker.userName);
      }
    }
    const unvaulted = allInAws.filter((id) => !byKeyId.has(id)).sort();
    assert.deepEqual([...reportedOrphans.keys()].sort(), unvaulted, 'a key AWS made is neither vaulted nor reported');
    assert.ok(unvaulted.length >= 1, 'the create held after AWS answered left no orphan');

    // The one-click fix: delete each orphan in IAM; the checks then resolve and clear the markers.
    for (const [accessKeyId, userName] of reportedOrphans) {
      await ok(tabs[2], { type: 'aws.deleteAccessKey', signerId, userName, accessKeyId });
    }
    for (const marker of await ok(tabs[2], { type: 'aws.pendingCreates' })) {
      const check = await ok(tabs[2], { type: 'aws.findOrphans', signerId, markerId: marker.id });
      assert.equal(check.resolved, true, JSON.stringify(check));
    }
    assert.deepEqual(await storageKeys(PENDING_PREFIX), [], 'a pending-create marker was left behind');
    const remaining = [...(await motoKeys(STOP_USERS)).values()].flat().sort();
    assert.deepEqual(remaining, vaultedHere.sort(), 'AWS keeps exactly the vaulted keys');
    console.info(
      `concurrency: worker stopped mid-burst: ${okReplies.length} answered, ${vaultedHere.length} vaulted, ` +
        `${unvaulted.length} orphans found and deleted`,
    );
  });

  test('a lock in the middle of a burst: every create is vaulted, or refused as locked with nothing left in AWS', async () => {
    await ok(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
    const messages = burst(LOCK_USERS, signerId);
    const replies = Promise.all(messages.map((message, i) => sendFromPage(tabs[i % tabs.length], message)));
    // Locked from another tab while the creates are arriving.
    await ok(tabs[1], { type: 'vault.lock' });
    const answered = await replies;
    for (const reply of answered.filter((r) => !r.ok)) {
      assert.ok(LOCKED_CODES.has(reply.error.code), JSON.stringify(reply));
    }
    const created = answered.filter((r) => r.ok).map((r) => r.result);
    await ok(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
    const { byKeyId } = await vaultedByKeyId();
    for (const c of created) {
      assert.deepEqual(byKeyId.get(c.accessKeyId), [ENTRY_PREFIX + c.entryId]);
    }
    // A refused create made nothing: AWS has exactly the vaulted keys, and no marker is left.
    const inAws = [...(await motoKeys(LOCK_USERS)).values()].flat().sort();
    assert.deepEqual(inAws, created.map((c) => c.accessKeyId).sort());
    assert.deepEqual(await storageKeys(PENDING_PREFIX), []);
    assert.deepEqual(await ok(tabs[2], { type: 'aws.pendingCreates' }), []);
    console.info(`concurrency: lock mid-burst: ${created.length} of ${messages.length} created and vaulted, the rest refused as locked`);
  });

  test('an auto-lock alarm that fires while an unlock runs does not lock the vault the unlock just opened', async () => {
    await ok(tabs[0], { type: 'settings.set', autoLockMinutes: 1 });
    await ok(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
    // The idle deadline has come: the alarm fires while the person is unlocking (Argon2id: ~1 s).
    await tabs[2].evaluate(async (key) => {
      const parked = (await chrome.storage.session.get(key))[key];
      await chrome.storage.session.set({ [key]: { ...parked, lockAt: Date.now() } });
    }, PARKED_KEY);
    const unlocking = sendFromPage(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
    await sleep(100);
    await tabs[2].evaluate((name) => chrome.alarms.create(name, { when: Date.now() }), AUTO_LOCK_ALARM);
    const unlocked = await unlocking;
    assert.equal(unlocked.ok, true, JSON.stringify(unlocked));
    assert.equal(unlocked.result.unlocked, true);
    // The alarm's lock ran after the unlock, which had set a new deadline a minute away: the
    // vault the unlock reported open stays open, with that deadline and its alarm.
    await sleep(500);
    const status = await ok(tabs[1], { type: 'vault.status' });
    assert.equal(status.unlocked, true, 'a stale auto-lock alarm locked the vault right after it was unlocked');
    await ok(tabs[1], { type: 'vault.list' });
    const alarm = await tabs[2].evaluate((name) => chrome.alarms.get(name), AUTO_LOCK_ALARM);
    assert.ok(alarm !== undefined && alarm.scheduledTime > Date.now() + 30_000, JSON.stringify(alarm));
    assert.ok(Math.abs(alarm.scheduledTime - status.autoLockAt) < 1_000, JSON.stringify({ alarm, status }));
  });

  test('unlock racing the auto-lock alarm: the state is always consistent, and unlocking after it always works', async () => {
    const settings = await ok(tabs[0], { type: 'settings.set', autoLockMinutes: 1 });
    assert.equal(settings.autoLockMinutes, 1);

    /** Status, core, parked key and alarm, once the alarm under test has fired or been replaced. */
    async function settledState() {
      const read = async () => {
        const [status, list, parked, alarm] = await Promise.all([
          sendFromPage(tabs[0], { type: 'vault.status' }),
          sendFromPage(tabs[1], { type: 'vault.list' }),
          tabs[2].evaluate(async (key) => (await chrome.storage.session.get(key))[key], PARKED_KEY),
          tabs[2].evaluate((name) => chrome.alarms.get(name), AUTO_LOCK_ALARM),
        ]);
        assert.equal(status.ok, true, JSON.stringify(status));
        if (!list.ok) {
          assert.ok(LOCKED_CODES.has(list.error.code), JSON.stringify(list));
        }
        return {
          statusUnlocked: status.result.unlocked,
          coreUnlocked: list.ok,
          parked: parked !== undefined,
          alarm: alarm !== undefined,
          alarmDue: alarm !== undefined && alarm.scheduledTime < Date.now() + 30_000,
        };
      };
      const deadline = Date.now() + 20_000;
      let last = await read();
      for (;;) {
        await sleep(150);
        const now = await read();
        if (!now.alarmDue && JSON.stringify(now) === JSON.stringify(last)) {
          return now;
        }
        assert.ok(Date.now() < deadline, `the vault state did not settle: ${JSON.stringify(now)}`);
        last = now;
      }
    }

    const outcomes = { locked: 0, unlocked: 0 };
    // The alarm fires this long after the unlock is sent (negative: before it).
    const offsets = [-400, -150, -50, 0, 0, 50, 150, 300, 500, 700, 900, 1100, 1400, 1800, 2500, 4000];
    for (const [round, offsetMs] of offsets.entries()) {
      // Half the rounds race from a locked vault, half from an unlocked one.
      if (round % 2 === 0) {
        await ok(tabs[0], { type: 'vault.lock' });
      } else {
        await ok(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
      }
      const fireAlarm = (async () => {
        await sleep(Math.max(0, offsetMs));
        // The idle deadline has come (as if a minute had passed): park it as due and fire the alarm.
        await tabs[2].evaluate(
          async ([key, name]) => {
            const parked = (await chrome.storage.session.get(key))[key];
            if (parked !== undefined) {
              await chrome.storage.session.set({ [key]: { ...parked, lockAt: Date.now() } });
            }
            await chrome.alarms.create(name, { when: Date.now() });
          },
          [PARKED_KEY, AUTO_LOCK_ALARM],
        );
      })();
      const others = [
        sendFromPage(tabs[1], { type: 'vault.list' }),
        sendFromPage(tabs[1], { type: 'signers.list' }),
        sendFromPage(tabs[2], { type: 'vault.status' }),
        sleep(300).then(() => sendFromPage(tabs[1], { type: 'vault.list' })),
        sleep(600).then(() => sendFromPage(tabs[2], { type: 'aws.getCallerIdentity', signerId })),
      ];
      const [unlock, , ...replies] = await Promise.all([
        sleep(Math.max(0, -offsetMs)).then(() => sendFromPage(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE })),
        fireAlarm,
        ...others,
      ]);
      assert.equal(unlock.ok, true, `round ${round}: unlock failed: ${JSON.stringify(unlock)}`);
      for (const reply of replies) {
        if (!reply.ok) {
          assert.ok(LOCKED_CODES.has(reply.error.code), `round ${round}: ${JSON.stringify(reply)}`);
        }
      }
      const state = await settledState();
      const consistent = state.statusUnlocked === state.coreUnlocked && state.coreUnlocked === state.parked && state.parked === state.alarm;
      assert.ok(consistent, `round ${round} (alarm at +${offsetMs} ms): inconsistent ${JSON.stringify(state)}`);
      outcomes[state.statusUnlocked ? 'unlocked' : 'locked'] += 1;
      // Whatever won, an unlock now works and the vault lists its entries.
      const again = await ok(tabs[1], { type: 'vault.unlock', passphrase: PASSPHRASE });
      assert.equal(again.unlocked, true);
      await ok(tabs[0], { type: 'vault.list' });
    }
    console.info(`concurrency: unlock vs auto-lock over ${offsets.length} rounds: ${JSON.stringify(outcomes)}`);
    // The alarm did lock in some rounds (at least those where it came well after the unlock and
    // its neighbours): the race was real, not a no-op.
    assert.ok(outcomes.locked >= 1, JSON.stringify(outcomes));
  });

  test('a passphrase change in the middle of a burst: every create vaulted once, every entry opens with the new passphrase only', async () => {
    // A long idle time, so that the auto-lock tests' one minute cannot lock the vault mid-burst.
    await ok(tabs[0], { type: 'settings.set', autoLockMinutes: 30 });
    await ok(tabs[0], { type: 'vault.unlock', passphrase: PASSPHRASE });
    const entriesBefore = new Set(await storageKeys(ENTRY_PREFIX));
    const headerBefore = (await dumpStorage(tabs[0])).local[HEADER_KEY];
    // One create is held after AWS answered (its entry sealed to the header as it was, not yet
    // stored) while the header is rewritten; the others run around the change at random.
    await armPause(tabs[0], 'after-provider');
    const messages = burst(CHANGE_USERS, signerId);
    const replies = Promise.all(messages.map((message, i) => sendFromPage(tabs[i % tabs.length], message)));
    await waitForPause(tabs[0], 'after-provider');
    const [wrong, changed] = await Promise.all([
      sendFromPage(tabs[1], { type: 'vault.changePassphrase', currentPassphrase: 'not the passphrase at all', newPassphrase: 'mallet prism cobalt aurora' }),
      sendFromPage(tabs[2], { type: 'vault.changePassphrase', currentPassphrase: PASSPHRASE, newPassphrase: NEW_PASSPHRASE }),
    ]);
    assert.equal(changed.ok, true, JSON.stringify(changed));
    assert.equal(changed.result.unlocked, true);
    // Without the current passphrase the change is refused, and the vault stays open for the burst.
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error.code, 'wrong_passphrase', JSON.stringify(wrong));
    const headerAfter = (await dumpStorage(tabs[0])).local[HEADER_KEY];
    assert.notEqual(headerAfter, headerBefore, 'the header was not rewritten while the create was held');
    await releasePause(tabs[0]);

    const answered = await replies;
    for (const reply of answered) {
      assert.equal(reply?.ok, true, JSON.stringify(reply));
    }
    const created = answered.map((reply) => reply.result);
    const newEntries = (await storageKeys(ENTRY_PREFIX)).filter((key) => !entriesBefore.has(key)).sort();
    assert.deepEqual(newEntries, created.map((c) => ENTRY_PREFIX + c.entryId).sort());
    assert.deepEqual(await storageKeys(PENDING_PREFIX), [], 'a pending-create marker was left behind');
    assert.deepEqual(await ok(tabs[2], { type: 'aws.pendingCreates' }), []);
    const inAws = [...(await motoKeys(CHANGE_USERS)).values()].flat().sort();
    assert.deepEqual(inAws, created.map((c) => c.accessKeyId).sort(), 'moto holds other keys than the vaulted ones');

    // The old passphrase no longer opens the vault; the new one opens every entry.
    await ok(tabs[0], { type: 'vault.lock' });
    const old = await sendFromPage(tabs[1], { type: 'vault.unlock', passphrase: PASSPHRASE });
    assert.equal(old.ok, false, 'the old passphrase still unlocks the vault');
    assert.equal(old.error.code, 'wrong_passphrase', JSON.stringify(old));
    const unlocked = await ok(tabs[1], { type: 'vault.unlock', passphrase: NEW_PASSPHRASE });
    assert.equal(unlocked.entryCount, entriesBefore.size + created.length);
    const { byKeyId } = await vaultedByKeyId();
    for (const c of created) {
      assert.deepEqual(byKeyId.get(c.accessKeyId), [ENTRY_PREFIX + c.entryId], `${c.accessKeyId} vaulted ${byKeyId.get(c.accessKeyId)?.length ?? 0} times`);
      await assertSecretIsReal(ENTRY_PREFIX + c.entryId, c.accessKeyId, c.userName);
    }
    console.info(`concurrency: passphrase change mid-burst: ${created.length} created, all vaulted once and opened with the new passphrase`);
  });

  test('a vault-file import in the middle of a burst: creates run wholly before or after it, no entry the imported vault cannot open', async () => {
    // The file: a vault made in another browser (its own key pair and passphrase), holding the
    // same AWS identity as a signer of its own.
    fileBrowser = await launchExtension();
    const other = await openPopup(fileBrowser);
    const fileSignerId = await setUpAwsSigner(fileBrowser, other, { endpoint: moto.endpoint, passphrase: FILE_PASSPHRASE, signer: moto.signer });
    const file = await ok(other, { type: 'vault.exportFile' });
    const fileEntries = Object.keys(JSON.parse(file.text).entries).sort();
    await fileBrowser.close();
    fileBrowser = undefined;
    assert.notEqual(fileSignerId, signerId);

    await ok(tabs[0], { type: 'vault.unlock', passphrase: NEW_PASSPHRASE });
    const stamped = (promise) => promise.then((reply) => ({ reply, at: Date.now() }));
    // Creates signed by this browser's vault; one is held after AWS answered, its entry sealed
    // to this vault's key and not yet stored, when the import (confirmed: replace) is sent.
    await armPause(tabs[0], 'after-provider');
    const oldMessages = burst(IMPORT_OLD_USERS, signerId);
    const oldReplies = Promise.all(oldMessages.map((message, i) => stamped(sendFromPage(tabs[i % tabs.length], message))));
    await waitForPause(tabs[0], 'after-provider');
    const importing = stamped(sendFromPage(tabs[1], { type: 'vault.importFile', text: file.text, passphrase: FILE_PASSPHRASE, replace: true }));
    // Creates signed by the file's signer, sent once the import is under way.
    await sleep(50);
    const newMessages = burst(IMPORT_NEW_USERS, fileSignerId);
    const newReplies = Promise.all(newMessages.map((message, i) => stamped(sendFromPage(tabs[(i + 1) % tabs.length], message))));
    // Time for the import to open the file (Argon2id: about a second) and, were it not to wait
    // for the held create, to replace the vault under it.
    await sleep(1_500);
    await releasePause(tabs[0]);
    const [imported, olds, news] = await Promise.all([importing, oldReplies, newReplies]);

    assert.equal(imported.reply.ok, true, JSON.stringify(imported.reply));
    assert.equal(imported.reply.result.imported, fileEntries.length);
    assert.equal(imported.reply.result.unlocked, true);
    // A create that did not go through was refused for want of its signer (the replaced vault's,
    // or the file's before the import landed), before anything was sent to AWS.
    for (const { reply } of [...olds, ...news].filter(({ reply }) => !reply.ok)) {
      assert.equal(reply.error.code, 'no_signer', JSON.stringify(reply));
    }
    const oldCreated = olds.filter(({ reply }) => reply.ok);
    const newCreated = news.filter(({ reply }) => reply.ok);
    assert.ok(oldCreated.length >= 1, 'the held create did not go through');
    // Each create ran wholly before the import (vaulted in the vault the file replaced: the
    // replace the import was confirmed for removes its entry, as every other one of that vault)
    // or wholly after it (vaulted in the imported vault, sealed to the file's key).
    for (const { reply, at } of oldCreated) {
      assert.ok(at <= imported.at, `a create signed by the replaced vault answered after the import: ${JSON.stringify(reply.result)}`);
    }
    for (const { reply, at } of newCreated) {
      assert.ok(at >= imported.at, `a create signed by the file's signer answered before the import: ${JSON.stringify(reply.result)}`);
    }

    // Storage holds the file's entries and the creates made after the import, and nothing else;
    // every one opens with the imported vault's key (no entry sealed to the replaced vault's key).
    const expected = [...fileEntries, ...newCreated.map(({ reply }) => ENTRY_PREFIX + reply.result.entryId)].sort();
    assert.deepEqual((await storageKeys(ENTRY_PREFIX)).sort(), expected);
    const { byKeyId, entries } = await vaultedByKeyId();
    assert.equal(entries.length, expected.length);
    for (const { reply } of newCreated) {
      const c = reply.result;
      assert.deepEqual(byKeyId.get(c.accessKeyId), [ENTRY_PREFIX + c.entryId]);
    }
    for (const { reply } of oldCreated) {
      assert.equal(byKeyId.get(reply.result.accessKeyId), undefined);
    }
    // Refused creates made nothing: moto holds exactly the keys the creates reported.
    const inAws = [...(await motoKeys([...IMPORT_OLD_USERS, ...IMPORT_NEW_USERS])).values()].flat().sort();
    assert.deepEqual(inAws, [...oldCreated, ...newCreated].map(({ reply }) => reply.result.accessKeyId).sort());
    assert.deepEqual(await storageKeys(PENDING_PREFIX), [], 'a pending-create marker was left behind');
    assert.deepEqual(await ok(tabs[2], { type: 'aws.pendingCreates' }), []);

    // Only the file's passphrase opens the vault now, with every entry.
    await ok(tabs[0], { type: 'vault.lock' });
    const replaced = await sendFromPage(tabs[1], { type: 'vault.unlock', passphrase: NEW_PASSPHRASE });
    assert.equal(replaced.ok, false, 'the replaced vault\'s passphrase still unlocks');
    assert.equal(replaced.error.code, 'wrong_passphrase', JSON.stringify(replaced));
    const unlocked = await ok(tabs[1], { type: 'vault.unlock', passphrase: FILE_PASSPHRASE });
    assert.equal(unlocked.entryCount, expected.length);
    await vaultedByKeyId();
    for (const { reply } of newCreated) {
      const c = reply.result;
      await assertSecretIsReal(ENTRY_PREFIX + c.entryId, c.accessKeyId, c.userName);
    }
    console.info(
      `concurrency: vault-file import mid-burst: ${oldCreated.length} of ${olds.length} creates before it, ` +
        `${newCreated.length} of ${news.length} after it, ${fileEntries.length} entries imported`,
    );
  });
});
