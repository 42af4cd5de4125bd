// End to end: Keysmith in the AWS and Scaleway consoles, in real Chromium with the test build.
// The console fixtures (tests/fixtures/console/) are served on the real console hosts through
// request routing, so the content scripts run exactly where the shipped manifest says. Covers
// the injected buttons (and their re-injection after client-side navigation), a redesigned
// variant, an unrecognised page, "Vault this key" on both consoles (entries then listed in the
// popup), the create buttons' honest "no signer" answer, then, with vaulted signers, real creates
// against moto (signature checks on) and the strict Scaleway fake: an IAM access key whose vaulted
// secret signs, the two-key limit, an EC2 key pair in the page's region, Scaleway keys for self
// and for an application, an MFA signer without a session, and the locked vault; keyboard
// activation, and screenshots of every button and toast in test-results/. Security checks are
// in console-security.test.mjs.
// Run: node --test tests/e2e/console.test.mjs

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { dumpStorage, launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import {
  FALLBACK,
  TOAST,
  awsDisplayedKey,
  buttonHost,
  clickInShadow,
  dismissToast,
  injectedButton,
  resetConsoleLimit,
  scalewayConsoleKey,
  serveConsoles,
  waitForToast,
} from '../support/console-driver.mjs';
import { createVault, exportEntry, listedEntries, lockVault, setAwsEndpoint, unlockVault } from '../support/popup-driver.mjs';
import { makeAccessKey, startScalewayFake } from '../support/scaleway-fake.mjs';
import { setScalewayEndpoint } from '../support/scaleway-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { assertSignsAs, listedAccessKeyIds, loadCore, signedQuery } from '../support/core.mjs';
import { SIGNER_USER, startMoto, xmlText } from '../support/moto.mjs';
import { addAwsSigner, addScalewaySigner } from '../support/signer-driver.mjs';

const PASSPHRASE = 'lantern orchard pebble 2026';
const IAM = 'https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1';
const userPage = (name) => `${IAM}#/users/details/${name}?section=security_credentials`;
const SCW = 'https://console.scaleway.com';

describe('Keysmith in the AWS and Scaleway consoles', { timeout: 300_000 }, () => {
  let fake;
  let moto;
  let core;
  let browser;
  let popup;
  /** @type {import('playwright-core').Page} */
  let page;
  const pageErrors = [];
  const state = { variant: 'classic', appId: '', next: {}, nextKey: (host) => state.next[host.includes('scaleway') ? 'scw' : 'aws'] };

  before(
    async () => {
      core = await loadCore();
      [fake, moto] = await Promise.all([startScalewayFake(), startMoto({ extraUsers: ['alice', 'bob'] })]);
      state.appId = fake.deployApp.id;
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setScalewayEndpoint(popup, fake.url);
      await setAwsEndpoint(popup, moto.endpoint);
      await serveConsoles(browser.context, state);
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1200, height: 760 });
      page.on('pageerror', (error) => pageErrors.push(String(error)));
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => fake?.stop(), () => moto?.stop()));

  // These tests click the console buttons faster than a person: over a minute they would make
  // more than the console rate limit allows (console-security.test.mjs tests the limit itself).
  beforeEach(() => resetConsoleLimit(popup));

  /** A Query API call to moto signed from Node with the seeded signer (independent of the extension). */
  async function motoQuery(service, params, region = undefined) {
    const reply = await signedQuery(core, { endpoint: moto.endpoint, service, params, credentials: moto.signer, region });
    assert.equal(reply.status, 200, reply.text);
    return reply.text;
  }

  /** The user's access key ids as moto lists them. */
  const motoKeyIds = (userName) => listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, userName);

  /** The storage keys of vault entries (sealed), to check that nothing was added. */
  async function entryKeys() {
    return Object.keys((await dumpStorage(popup)).local).filter((k) => k.startsWith('keysmith.entry.')).sort();
  }

  /** Follows the toast's "Open in Keysmith": the popup in a tab, the entry pointed out. */
  async function openToastEntry() {
    const opened = browser.context.waitForEvent('page');
    await clickInShadow(page, TOAST, 'button', 'Open in Keysmith');
    const tab = await opened;
    await tab.waitForLoadState();
    const entryId = new URL(tab.url()).hash.replace('#entry=', '');
    assert.match(entryId, /^[0-9a-f]{32}$/);
    assert.equal(new URL(tab.url()).pathname, '/popup.html');
    await tab.locator(`#entry-list > li[data-entry-id="${entryId}"][aria-current="true"]`).waitFor();
    const entry = (await listedEntries(tab)).find((e) => e.id === entryId);
    return { tab, entry };
  }

  /** Opens the wizard for `name` and goes to its last step, "Retrieve access keys". */
  async function retrieveStep(name, key) {
    state.next.aws = key;
    await page.goto(`${IAM}#/users/details/${name}/create-access-key`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Retrieve access keys' }).waitFor();
  }

  test('before a vault exists, "Vault this key" says to set one up and stores nothing', async () => {
    await retrieveStep('alice', awsDisplayedKey());
    const vault = await injectedButton(page, 'aws-vault-this-key');
    assert.equal(vault.label, 'Vault this key');
    await clickInShadow(page, buttonHost('aws-vault-this-key'));
    const toast = await waitForToast(page, 'no_vault');
    assert.equal(toast.role, 'alert');
    assert.match(toast.text, /Set up Keysmith's vault first/);
    assert.deepEqual(toast.actions, ['Open Keysmith', 'Dismiss']);
    await page.screenshot({ path: screenshotPath('console-aws-no-vault-toast.png') });
    const stored = await dumpStorage(popup);
    assert.deepEqual(Object.keys(stored.local).filter((k) => k.startsWith('keysmith.entry.')), []);
    await dismissToast(page);
    const created = await createVault(popup, PASSPHRASE);
    assert.equal(created.ok, true, JSON.stringify(created));
  });

  test('IAM user page: "Create and vault key" next to "Create access key", in the console look; no signer yet', async () => {
    await page.goto(userPage('alice'));
    const button = await injectedButton(page, 'aws-create-access-key');
    assert.equal(button.label, 'Create and vault key');
    assert.match(button.font, /Amazon Ember/, 'the button copies the console font');
    const placed = await page.evaluate(
      (selector) => document.querySelector(selector).previousElementSibling?.textContent,
      buttonHost('aws-create-access-key'),
    );
    assert.equal(placed, 'Create access key', 'injected right after the native button');
    await page.locator(buttonHost('aws-create-access-key')).screenshot({ path: screenshotPath('console-aws-create-button.png') });

    await clickInShadow(page, buttonHost('aws-create-access-key'));
    const toast = await waitForToast(page, 'no_signer');
    assert.match(toast.text, /Create and vault key for alice: not done/);
    assert.match(toast.text, /Add a signer identity in Keysmith's options/);
    assert.deepEqual(toast.actions, ['Open Keysmith', 'Dismiss']);
    await page.screenshot({ path: screenshotPath('console-aws-no-signer-toast.png') });
    // Honest: nothing was created, nothing vaulted.
    const stored = await dumpStorage(popup);
    assert.deepEqual(Object.keys(stored.local).filter((k) => k.startsWith('keysmith.entry.')), []);
    await dismissToast(page);
  });

  test('client-side navigation to another user re-injects the button for that user', async () => {
    await page.goto(userPage('alice'));
    await injectedButton(page, 'aws-create-access-key');
    await page.locator('#nav-bob').click(); // hash change, no page load
    await page.getByRole('heading', { name: 'bob', exact: true }).waitFor();
    await injectedButton(page, 'aws-create-access-key');
    assert.equal(await page.locator('keysmith-button').count(), 1, 'exactly one button after navigating');
    await clickInShadow(page, buttonHost('aws-create-access-key'));
    const toast = await waitForToast(page, 'no_signer');
    assert.match(toast.text, /Create and vault key for bob/);
    await dismissToast(page);
    // A page Keysmith has nothing for: the button goes, and no fallback is offered.
    await page.locator('#nav-home').click();
    await page.getByRole('heading', { name: 'IAM dashboard' }).waitFor();
    await page.locator('keysmith-button').waitFor({ state: 'detached' });
    assert.equal(await page.locator(FALLBACK).count(), 0);
  });

  test('the button is reachable and activated with the keyboard', async () => {
    await page.goto(userPage('alice'));
    await injectedButton(page, 'aws-create-access-key');
    await page.getByRole('button', { name: 'Create access key', exact: true }).focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-keysmith'));
    assert.equal(focused, 'aws-create-access-key', 'Tab moves from the native button to Keysmith’s');
    await page.keyboard.press('Enter');
    await waitForToast(page, 'no_signer');
    await dismissToast(page);
    await page.getByRole('button', { name: 'Create access key', exact: true }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await waitForToast(page, 'no_signer');
    await dismissToast(page);
  });

  test('"Vault this key" on "Retrieve access keys" seals the displayed key; the popup lists it', async () => {
    const key = awsDisplayedKey();
    await retrieveStep('alice', key);
    await injectedButton(page, 'aws-vault-this-key');
    await page.locator(buttonHost('aws-vault-this-key')).screenshot({ path: screenshotPath('console-aws-vault-button.png') });
    await clickInShadow(page, buttonHost('aws-vault-this-key'));
    const toast = await waitForToast(page, 'ok');
    assert.match(toast.text, new RegExp(`Access key ${key.accessKeyId} is in your Keysmith vault`));
    assert.match(toast.text, /safe to close/);
    assert.ok(!toast.text.includes(key.secretAccessKey), 'the toast shows no secret');
    assert.deepEqual(toast.actions, ['Open in Keysmith', 'Dismiss']);
    assert.equal((await injectedButton(page, 'aws-vault-this-key')).label, 'Vaulted');
    await page.screenshot({ path: screenshotPath('console-aws-vaulted-toast.png') });
    // The page's secret is masked again after Keysmith read it.
    assert.ok(!(await page.locator('#retrieve').innerText()).includes(key.secretAccessKey));

    // "Open in Keysmith" opens the extension on that entry, where the vault lists it.
    const { tab, entry } = await openToastEntry();
    assert.equal(entry.title, key.accessKeyId);
    assert.match(entry.text, /alice/);
    await tab.close();
    await dismissToast(page);
  });

  test('EC2 key pairs page: "Create and vault key pair" for the page region; no signer yet', async () => {
    await page.goto('https://eu-west-3.console.aws.amazon.com/ec2/home?region=eu-west-3#KeyPairs:');
    const button = await injectedButton(page, 'aws-create-key-pair');
    assert.equal(button.label, 'Create and vault key pair');
    await page.locator(buttonHost('aws-create-key-pair')).screenshot({ path: screenshotPath('console-ec2-create-button.png') });
    await clickInShadow(page, buttonHost('aws-create-key-pair'));
    const toast = await waitForToast(page, 'no_signer');
    assert.match(toast.text, /Create and vault key pair in eu-west-3: not done/);
    await page.screenshot({ path: screenshotPath('console-ec2-no-signer-toast.png') });
    await dismissToast(page);
  });

  test('redesigned AWS console (other classes and test ids, same roles and texts): still found', async () => {
    state.variant = 'redesign';
    try {
      await page.goto('about:blank'); // a real load, so that the new variant is served
      await page.goto(userPage('carol'));
      await injectedButton(page, 'aws-create-access-key');
      await page.locator(buttonHost('aws-create-access-key')).screenshot({ path: screenshotPath('console-aws-redesign-button.png') });
      const key = awsDisplayedKey();
      await retrieveStep('carol', key);
      await injectedButton(page, 'aws-vault-this-key');
      await clickInShadow(page, buttonHost('aws-vault-this-key'));
      const toast = await waitForToast(page, 'ok');
      assert.match(toast.text, new RegExp(key.accessKeyId));
      await dismissToast(page);
      const list = await openPopup(browser);
      await list.locator('#entry-list > li .entry-title', { hasText: key.accessKeyId }).waitFor();
      await list.close();
    } finally {
      state.variant = 'classic';
    }
  });

  test('an IAM page Keysmith cannot read degrades to "open the extension"', async () => {
    state.variant = 'unrecognised';
    try {
      await page.goto('about:blank'); // a real load, so that the new variant is served
      await page.goto(userPage('alice'));
      await page.getByRole('heading', { name: 'Credentials' }).waitFor();
      await page.locator(FALLBACK).waitFor({ timeout: 8_000 });
      assert.equal(await page.locator('keysmith-button').count(), 0);
      await page.screenshot({ path: screenshotPath('console-aws-unrecognised-fallback.png') });
      const opened = browser.context.waitForEvent('page');
      await clickInShadow(page, FALLBACK);
      const tab = await opened;
      assert.equal(new URL(tab.url()).pathname, '/popup.html');
      await tab.close();
      // Leaving for a page Keysmith has nothing for removes the fallback.
      await page.locator('#nav-home').click();
      await page.locator(FALLBACK).waitFor({ state: 'detached' });
    } finally {
      state.variant = 'classic';
    }
  });

  test('Scaleway API-keys page: "Create and vault key"; no signer yet', async () => {
    await page.goto(`${SCW}/iam/api-keys`);
    const button = await injectedButton(page, 'scw-create-api-key');
    assert.equal(button.label, 'Create and vault key');
    assert.match(button.font, /Inter/);
    await page.locator(buttonHost('scw-create-api-key')).screenshot({ path: screenshotPath('console-scw-create-button.png') });
    await clickInShadow(page, buttonHost('scw-create-api-key'));
    const toast = await waitForToast(page, 'no_signer');
    assert.match(toast.text, /Create and vault key for you: not done/);
    assert.match(toast.text, /Add a signer identity in Keysmith's options/);
    await page.screenshot({ path: screenshotPath('console-scw-no-signer-toast.png') });
    await dismissToast(page);
  });

  test('Scaleway "your secret key" dialog: "Vault this key" seals the key with its owner', async () => {
    const key = await scalewayConsoleKey(fake, { user_id: fake.signer.userId });
    state.next.scw = key;
    await page.goto(`${SCW}/iam/api-keys`);
    await page.getByRole('button', { name: 'Generate an API key' }).click();
    await page.getByRole('dialog').waitFor();
    await injectedButton(page, 'scw-vault-this-key');
    await page.locator(buttonHost('scw-vault-this-key')).screenshot({ path: screenshotPath('console-scw-vault-button.png') });
    await clickInShadow(page, buttonHost('scw-vault-this-key'));
    const toast = await waitForToast(page, 'ok');
    assert.match(toast.text, new RegExp(`API key ${key.accessKey} is in your Keysmith vault`));
    assert.match(toast.text, /safe to close this dialog/);
    assert.ok(!toast.text.includes(key.secretKey));
    await page.screenshot({ path: screenshotPath('console-scw-vaulted-toast.png') });
    await dismissToast(page);
    const list = await openPopup(browser);
    const row = list.locator('#entry-list > li', { has: list.locator('.entry-title', { hasText: key.accessKey }) });
    await row.waitFor();
    const entry = (await listedEntries(list)).find((e) => e.title === key.accessKey);
    assert.ok(entry, 'the Scaleway key is listed');
    await list.close();
  });

  test('Scaleway application page (redesigned), client-side navigation: the key of an application without IAM rights', async () => {
    state.variant = 'redesign';
    try {
      const key = await scalewayConsoleKey(fake, { application_id: fake.deployApp.id });
      state.next.scw = key;
      await page.goto(`${SCW}/iam/users`);
      await page.getByRole('link', { name: 'ci-deployer' }).click(); // pushState navigation
      await page.getByRole('heading', { name: 'ci-deployer' }).waitFor();
      await injectedButton(page, 'scw-create-api-key');
      await clickInShadow(page, buttonHost('scw-create-api-key'));
      assert.match((await waitForToast(page, 'no_signer')).text, /for this application/);
      await dismissToast(page);
      await page.getByRole('button', { name: 'Generate an API key' }).click();
      await injectedButton(page, 'scw-vault-this-key');
      await clickInShadow(page, buttonHost('scw-vault-this-key'));
      const toast = await waitForToast(page, 'ok');
      assert.match(toast.text, new RegExp(key.accessKey));
      await dismissToast(page);
      const list = await openPopup(browser);
      await list.locator('#entry-list > li .entry-title', { hasText: key.accessKey }).waitFor();
      await list.close();
    } finally {
      state.variant = 'classic';
    }
  });

  test('a Scaleway key that Scaleway rejects is not vaulted', async () => {
    state.next.scw = { accessKey: makeAccessKey(), secretKey: randomUUID() };
    const before = Object.keys((await dumpStorage(popup)).local).length;
    await page.goto(`${SCW}/iam/api-keys`);
    await page.getByRole('button', { name: 'Generate an API key' }).click();
    await injectedButton(page, 'scw-vault-this-key');
    await clickInShadow(page, buttonHost('scw-vault-this-key'));
    const toast = await waitForToast(page, 'invalid_key');
    assert.match(toast.text, /Scaleway does not accept the secret key/);
    assert.equal((await injectedButton(page, 'scw-vault-this-key')).label, 'Vault this key', 'the button can be used again');
    assert.equal(Object.keys((await dumpStorage(popup)).local).length, before);
    await dismissToast(page);
  });

  // ----- with vaulted signers: the create buttons really create ---------------------------------

  test('with a vaulted AWS signer, "Create and vault key" creates alice\'s key at AWS; its vaulted secret signs', async () => {
    const added = await addAwsSigner(browser, moto.signer);
    assert.equal(added.kind, 'ok', added.text);
    assert.deepEqual(await motoKeyIds('alice'), []);
    const before = await entryKeys();
    await page.goto(userPage('alice'));
    await injectedButton(page, 'aws-create-access-key');
    await clickInShadow(page, buttonHost('aws-create-access-key'));
    const toast = await waitForToast(page, 'ok');
    assert.equal(toast.role, 'status');
    const accessKeyId = /^Access key (AKIA[A-Z0-9]{16}) created for alice and vaulted/.exec(toast.text)?.[1];
    assert.ok(accessKeyId, toast.text);
    assert.match(toast.text, /straight into your Keysmith vault/);
    assert.deepEqual(toast.actions, ['Open in Keysmith', 'Dismiss']);
    await page.screenshot({ path: screenshotPath('console-aws-created-toast.png') });
    // Created at AWS for alice, and one sealed entry more in the vault.
    assert.deepEqual(await motoKeyIds('alice'), [accessKeyId]);
    assert.equal((await entryKeys()).length, before.length + 1);

    const { tab, entry } = await openToastEntry();
    assert.equal(entry.title, accessKeyId);
    assert.match(entry.text, /alice/);
    const env = await exportEntry(tab, accessKeyId, 'export AWS_… lines');
    await tab.close();
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(env)?.[1];
    assert.match(secret ?? '', /^[A-Za-z0-9/+]{40}$/);
    // The secret was never in the console page: not in the toast, not in the DOM, not in a log.
    assert.ok(!toast.text.includes(secret));
    assert.ok(!(await page.content()).includes(secret));
    assert.ok(!browser.consoleLines.some((line) => line.includes(secret)), 'the secret was logged');
    // The vaulted secret is the real one: moto (signature checks on) accepts it, as alice.
    await assertSignsAs(core, moto, { accessKeyId, secretAccessKey: secret }, 'alice');
    await dismissToast(page);
  });

  test('a user who already has two keys: nothing is created, and the toast opens Keysmith on that user\'s choice', async () => {
    const extra = xmlText(await motoQuery('iam', { Action: 'CreateAccessKey', UserName: 'alice' }), 'AccessKeyId');
    const keys = await motoKeyIds('alice');
    assert.equal(keys.length, 2);
    const before = await entryKeys();
    await page.goto(userPage('alice'));
    await injectedButton(page, 'aws-create-access-key');
    await clickInShadow(page, buttonHost('aws-create-access-key'));
    const toast = await waitForToast(page, 'key_limit');
    assert.equal(toast.role, 'alert');
    assert.match(toast.text, /Create and vault key for alice: not done/);
    assert.match(toast.text, /already has two access keys/);
    assert.match(toast.text, /Choose in Keysmith which one to deactivate or delete/);
    assert.deepEqual(toast.actions, ['Choose a key in Keysmith', 'Dismiss']);
    await page.screenshot({ path: screenshotPath('console-aws-key-limit-toast.png') });
    assert.deepEqual(await motoKeyIds('alice'), keys, 'a key was created or removed');
    assert.deepEqual(await entryKeys(), before, 'something was vaulted');

    // The popup opens on alice's two keys; deleting one lets the create the user asked for run.
    const opened = browser.context.waitForEvent('page');
    await clickInShadow(page, TOAST, 'button', 'Choose a key in Keysmith');
    const tab = await opened;
    assert.equal(new URL(tab.url()).hash, '#key-slot=alice');
    await tab.locator('#key-slot').waitFor();
    assert.equal(await tab.locator('#key-slot-title').innerText(), 'alice already has 2 access keys');
    assert.equal(await tab.locator('#key-slot-list > li').count(), 2);
    assert.equal(await tab.getByLabel('IAM user name').inputValue(), 'alice');
    assert.equal(await tab.evaluate(() => document.activeElement?.id), 'key-slot-title', 'the choice has the focus');
    assert.deepEqual(await motoKeyIds('alice'), keys, 'showing the choice changed something');
    await tab.screenshot({ path: screenshotPath('console-aws-key-limit-choice.png') });
    await tab.getByRole('button', { name: `Delete ${extra} in IAM` }).click();
    await tab.getByRole('group', { name: `Confirm deleting ${extra} in IAM` }).getByRole('button', { name: 'Delete key' }).click();
    await tab.locator('#status[data-kind="ok"]').filter({ hasText: 'Access key created and vaulted' }).waitFor({ timeout: 20_000 });
    const after = await motoKeyIds('alice');
    assert.equal(after.length, 2);
    assert.ok(!after.includes(extra) && after.includes(keys.find((k) => k !== extra)), after.join(', '));
    assert.equal((await entryKeys()).length, before.length + 1, 'the new key was not vaulted');
    await tab.close();
    await dismissToast(page);
  });

  test('EC2 "Create and vault key pair" creates the key pair in the page\'s region', async () => {
    await page.goto('https://eu-west-3.console.aws.amazon.com/ec2/home?region=eu-west-3#KeyPairs:');
    await injectedButton(page, 'aws-create-key-pair');
    await clickInShadow(page, buttonHost('aws-create-key-pair'));
    const toast = await waitForToast(page, 'ok');
    const keyName = /^Key pair (keysmith-\d{8}-\d{6}) created in eu-west-3 and vaulted/.exec(toast.text)?.[1];
    assert.ok(keyName, toast.text);
    assert.match(toast.text, /private key went straight into your Keysmith vault/);
    await page.screenshot({ path: screenshotPath('console-ec2-created-toast.png') });
    const names = async (region) =>
      [...(await motoQuery('ec2', { Action: 'DescribeKeyPairs' }, region)).matchAll(/<keyName>([^<]+)<\/keyName>/g)].map((m) => m[1]);
    assert.deepEqual(await names('eu-west-3'), [keyName]);
    assert.deepEqual(await names('us-east-1'), [], 'created in another region');
    const { tab, entry } = await openToastEntry();
    assert.equal(entry.title, keyName);
    assert.equal(entry.fields.Region, 'eu-west-3');
    const pem = await exportEntry(tab, keyName, 'Private key (.pem)');
    assert.match(pem, /^-----BEGIN/);
    assert.ok(!(await page.content()).includes(pem.split('\n')[1]), 'a piece of the private key is in the page');
    await tab.close();
    await dismissToast(page);
  });

  test('Scaleway "Create and vault key" for you and for the application of the page; secrets only in X-Auth-Token to the API', async () => {
    const added = await addScalewaySigner(browser, fake.signer);
    assert.equal(added.kind, 'ok', added.text);
    fake.clearAudit();
    const pageRequests = [];
    const onRequest = (request) => pageRequests.push(request);
    page.on('request', onRequest);
    try {
      await page.goto(`${SCW}/iam/api-keys`);
      await injectedButton(page, 'scw-create-api-key');
      await clickInShadow(page, buttonHost('scw-create-api-key'));
      const mine = await waitForToast(page, 'ok');
      const myKey = /^API key (SCW[A-Z0-9]{17}) created for you and vaulted/.exec(mine.text)?.[1];
      assert.ok(myKey, mine.text);
      await page.screenshot({ path: screenshotPath('console-scw-created-toast.png') });
      assert.equal(fake.apiKey(myKey)?.user_id, fake.signer.userId);
      await dismissToast(page);

      await page.goto(`${SCW}/iam/applications/${fake.deployApp.id}/overview`);
      await injectedButton(page, 'scw-create-api-key');
      await clickInShadow(page, buttonHost('scw-create-api-key'));
      const its = await waitForToast(page, 'ok');
      const appKey = /^API key (SCW[A-Z0-9]{17}) created for this application and vaulted/.exec(its.text)?.[1];
      assert.ok(appKey, its.text);
      await page.screenshot({ path: screenshotPath('console-scw-app-created-toast.png') });
      assert.equal(fake.apiKey(appKey)?.application_id, fake.deployApp.id);
      const { tab, entry } = await openToastEntry();
      assert.equal(entry.title, appKey);
      await tab.close();
      await dismissToast(page);

      // Where the secrets went: the signer's only as X-Auth-Token to the API (the fake), the
      // new keys' nowhere (they came back in answers only); never to the console's host.
      const created = [myKey, appKey].map((k) => fake.apiKey(k).secret_key);
      const audit = fake.audit();
      assert.ok(audit.some((e) => e.method === 'POST' && e.path === '/iam/v1alpha1/api-keys'));
      for (const entry of audit) {
        const where = `${entry.method} ${entry.path}`;
        assert.equal(entry.headers['x-auth-token'], fake.signer.secretKey, `${where}: not signed by the signer`);
        const { 'x-auth-token': _token, ...otherHeaders } = entry.headers;
        const visible = [entry.path, entry.query, JSON.stringify(otherHeaders), entry.body].join('\n');
        for (const secret of [fake.signer.secretKey, ...created]) {
          assert.ok(!visible.includes(secret), `${where}: a secret key outside X-Auth-Token`);
        }
      }
      assert.ok(pageRequests.length > 0);
      for (const request of pageRequests) {
        const sent = [request.url(), JSON.stringify(await request.allHeaders()), request.postData() ?? ''].join('\n');
        for (const secret of [fake.signer.secretKey, ...created]) {
          assert.ok(!sent.includes(secret), `the console page sent a secret to ${request.url()}`);
        }
      }
      for (const secret of [fake.signer.secretKey, ...created]) {
        assert.ok(!(await page.content()).includes(secret), 'a secret key is in the page');
        assert.ok(!browser.consoleLines.some((line) => line.includes(secret)), 'a secret key was logged');
      }
    } finally {
      page.off('request', onRequest);
    }
  });

  test('a signer that requires MFA, without a session: the toast says to enter the code in Keysmith; nothing is created', async () => {
    const { signers } = (await sendFromPage(popup, { type: 'signers.list' })).result;
    const signer = signers.find((item) => item.provider === 'aws');
    const serial = `arn:aws:iam::${moto.accountId}:mfa/${SIGNER_USER}`;
    const set = await sendFromPage(popup, { type: 'signers.setMfa', signerId: signer.id, mfaSerial: serial });
    assert.equal(set.ok, true, JSON.stringify(set));
    try {
      await page.goto(userPage('bob'));
      await injectedButton(page, 'aws-create-access-key');
      await clickInShadow(page, buttonHost('aws-create-access-key'));
      const toast = await waitForToast(page, 'mfa_required');
      assert.match(toast.text, /Create and vault key for bob: not done/);
      assert.match(toast.text, /requires MFA: open Keysmith, enter the MFA code/);
      await page.screenshot({ path: screenshotPath('console-aws-mfa-required-toast.png') });
      assert.deepEqual(await motoKeyIds('bob'), []);
      await dismissToast(page);
    } finally {
      const unset = await sendFromPage(popup, { type: 'signers.setMfa', signerId: signer.id, mfaSerial: null });
      assert.equal(unset.ok, true, JSON.stringify(unset));
    }
  });

  test('while the vault is locked, the create buttons say to unlock, and nothing is created at the provider', async () => {
    await lockVault(popup);
    try {
      const before = await entryKeys();
      const auditBefore = fake.audit().length;
      await page.goto(userPage('bob'));
      await injectedButton(page, 'aws-create-access-key');
      await clickInShadow(page, buttonHost('aws-create-access-key'));
      const toast = await waitForToast(page, 'vault_locked');
      assert.match(toast.text, /Create and vault key for bob: not done/);
      assert.match(toast.text, /Unlock Keysmith, then try again: nothing was created/);
      assert.deepEqual(toast.actions, ['Unlock Keysmith', 'Dismiss']);
      await page.screenshot({ path: screenshotPath('console-aws-vault-locked-toast.png') });
      assert.deepEqual(await motoKeyIds('bob'), []);
      await dismissToast(page);
      await page.goto(`${SCW}/iam/api-keys`);
      await injectedButton(page, 'scw-create-api-key');
      await clickInShadow(page, buttonHost('scw-create-api-key'));
      await waitForToast(page, 'vault_locked');
      assert.equal(fake.audit().length, auditBefore, 'Scaleway was called while the vault was locked');
      assert.deepEqual(await entryKeys(), before);
      await dismissToast(page);
    } finally {
      await unlockVault(popup, PASSPHRASE);
    }
  });

  test('no script error on any fixture page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
