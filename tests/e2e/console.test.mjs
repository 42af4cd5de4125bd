// End to end: Keysmith in the AWS and Scaleway consoles, in real Chromium with the test build.
// The console fixtures (tests/fixtures/console/) are served on the real console hosts through
// request routing, so the content scripts run exactly where the shipped manifest says. Covers
// the injected buttons (and their re-injection after client-side navigation), a redesigned
// variant, an unrecognised page, "Vault this key" on both consoles (entries then listed in the
// popup), the create buttons' honest "no signer" answer, keyboard activation, and screenshots
// of every button and toast in test-results/. Security checks are in console-security.test.mjs.
// Run: node --test tests/e2e/console.test.mjs

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dumpStorage, launchExtension, openPopup, screenshotPath } from '../support/browser.mjs';
import {
  FALLBACK,
  TOAST,
  awsDisplayedKey,
  buttonHost,
  clickInShadow,
  dismissToast,
  injectedButton,
  scalewayConsoleKey,
  serveConsoles,
  waitForToast,
} from '../support/console-driver.mjs';
import { createVault, listedEntries } from '../support/popup-driver.mjs';
import { makeAccessKey, startScalewayFake } from '../support/scaleway-fake.mjs';
import { setScalewayEndpoint } from '../support/scaleway-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';

const PASSPHRASE = 'lantern orchard pebble 2026';
const IAM = 'https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1';
const userPage = (name) => `${IAM}#/users/details/${name}?section=security_credentials`;
const SCW = 'https://console.scaleway.com';

describe('Keysmith in the AWS and Scaleway consoles', { timeout: 300_000 }, () => {
  let fake;
  let browser;
  let popup;
  /** @type {import('playwright-core').Page} */
  let page;
  const pageErrors = [];
  const state = { variant: 'classic', appId: '', next: {}, nextKey: (host) => state.next[host.includes('scaleway') ? 'scw' : 'aws'] };

  before(
    async () => {
      fake = await startScalewayFake();
      state.appId = fake.deployApp.id;
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setScalewayEndpoint(popup, fake.url);
      await serveConsoles(browser.context, state);
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1200, height: 760 });
      page.on('pageerror', (error) => pageErrors.push(String(error)));
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => fake?.stop()));

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
    const opened = browser.context.waitForEvent('page');
    await clickInShadow(page, TOAST, 'button', 'Open in Keysmith');
    const tab = await opened;
    await tab.waitForLoadState();
    const entryId = new URL(tab.url()).hash.replace('#entry=', '');
    assert.match(entryId, /^[0-9a-f]{32}$/);
    assert.equal(new URL(tab.url()).pathname, '/popup.html');
    await tab.locator(`#entry-list > li[data-entry-id="${entryId}"][aria-current="true"]`).waitFor();
    const entries = await listedEntries(tab);
    const entry = entries.find((e) => e.id === entryId);
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

  test('no script error on any fixture page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
