// End to end: Scaleway API keys through the extension in real Chromium, driven through the
// popup, against the strict Scaleway fake (tests/support/scaleway-fake.mjs). Verify the signer,
// create keys for the signer's user (expiry, preferred Project), for an existing and for a new
// IAM application, push one to Secret Manager, export from the vault, the error paths, and an
// audit of every request the fake received: no secret key anywhere but where it must be.
// Run: node --test tests/e2e/scaleway.test.mjs

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { contentScriptWorld, dumpStorage, launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import { createVault, exportEntry, listedEntries, waitForVaultState } from '../support/popup-driver.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';
import { createScalewayKey, setScalewayEndpoint, verifyScalewaySigner } from '../support/scaleway-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { addScalewaySigner } from '../support/signer-driver.mjs';

const PASSPHRASE = 'granite meadow copper fjord 77';
const ACCESS_KEY = /^SCW[A-Z0-9]{17}$/;
const HEX_ID = /^[0-9a-f]{32}$/;
const DAY_MS = 86_400_000;

/** The `    key: value` lines of a config.yaml profile, with YAML's double quotes removed. */
function yamlFields(text) {
  const fields = {};
  for (const match of text.matchAll(/^ {4}(\w+): (.*)$/gm)) {
    const raw = match[2];
    fields[match[1]] = raw.startsWith('"') ? JSON.parse(raw) : raw;
  }
  return fields;
}

describe('Scaleway API keys, end to end in Chromium', { timeout: 300_000 }, () => {
  let fake;
  let browser;
  let popup;
  /** Keys created through the popup: access key → what the test expects of it. */
  const created = {};
  /** Access keys whose secret was pushed to Secret Manager (allowed in that version's data). */
  const pushed = new Set();

  /** The vaulted Scaleway signer (the fake's owner key), added on the options page. */
  let signerId = '0'.repeat(32);

  before(
    async () => {
      fake = await startScalewayFake();
      browser = await launchExtension();
      popup = await openPopup(browser);
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await setScalewayEndpoint(popup, fake.url);
      fake.clearAudit(); // the options page's reachability check of the endpoint
    },
    { timeout: 90_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => fake?.stop()));

  test('without a vault, createApiKey is refused with no_vault before any Scaleway call', async () => {
    await waitForVaultState(popup, 'none');
    const reply = await sendFromPage(popup, {
      type: 'scaleway.createApiKey',
      signerId,
      userId: fake.signer.userId,
    });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'no_vault', JSON.stringify(reply));
    assert.equal(fake.audit().length, 0, 'the fake was called although there is no vault');
    // The worker validates: exactly one bearer, no unknown fields.
    const both = await sendFromPage(popup, {
      type: 'scaleway.createApiKey',
      signerId,
      userId: fake.signer.userId,
      applicationId: fake.deployApp.id,
    });
    assert.equal(both.error?.code, 'bad_request', JSON.stringify(both));
    const extra = await sendFromPage(popup, { type: 'scaleway.verifySigner', signerId, x: 1 });
    assert.equal(extra.error?.code, 'bad_request', JSON.stringify(extra));
    // A secret key in a provider message is refused: signers are vault entries.
    const inClear = await sendFromPage(popup, {
      type: 'scaleway.verifySigner',
      credentials: { accessKey: fake.signer.accessKey, secretKey: fake.signer.secretKey },
    });
    assert.equal(inClear.error?.code, 'bad_request', JSON.stringify(inClear));

    const vault = await createVault(popup, PASSPHRASE);
    assert.equal(vault.ok, true, vault.error);
  });

  test('add the Scaleway signer on the options page: its bearer is looked up and shown', async () => {
    const added = await addScalewaySigner(browser, fake.signer);
    assert.equal(added.kind, 'ok', added.text);
    assert.equal(added.fields['Access key'], fake.signer.accessKey);
    assert.equal(added.fields.Bearer, `user ${fake.signer.userId}`);
    assert.equal(added.fields['Bearer name'], 'owner@example.com');
    assert.equal(added.fields.Organization, fake.organizationId);
    assert.equal(added.fields['Default project'], fake.projects[0].id);
    assert.match(added.signerId, HEX_ID);
    signerId = added.signerId;
    const lookups = fake.audit().filter((entry) => entry.path === `/iam/v1alpha1/api-keys/${fake.signer.accessKey}`);
    assert.equal(lookups.length, 1, 'the key was not looked up with itself before it was saved');
    // Sealed: neither the secret nor the access key is in chrome.storage in plaintext.
    const stored = JSON.stringify(await dumpStorage(popup));
    assert.ok(!stored.includes(fake.signer.secretKey) && !stored.includes(fake.signer.accessKey));
  });

  test('verify the chosen signer: bearer, Organization and default Project', async () => {
    const result = await verifyScalewaySigner(popup, fake.signer);
    assert.equal(result.kind, 'ok', result.text);
    assert.equal(result.fields.Bearer, 'User');
    assert.equal(result.fields.Name, 'owner@example.com');
    assert.equal(result.fields['Bearer ID'], fake.signer.userId);
    assert.equal(result.fields.Organization, fake.organizationId);
    assert.equal(result.fields['Default project'], `default (${fake.projects[0].id})`);
    assert.equal(result.fields.Expires, 'never');
    assert.equal(await popup.locator('#scw-create-fields').isDisabled(), false);
    // The Projects and applications were listed to choose from.
    const projects = await popup.locator('#scw-project option').allTextContents();
    assert.ok(projects.some((t) => t.startsWith('production ')), projects.join(' | '));
    const apps = await popup.locator('#scw-application option').allTextContents();
    assert.ok(apps.includes('ci-deployer'), apps.join(' | '));
  });

  test('create a key for myself with an expiry and a preferred Project: vaulted, listed, exported', async () => {
    const before = Date.now();
    const result = await createScalewayKey(popup, fake.signer, {
      for: 'self',
      description: 'laptop via Keysmith',
      expiry: 'In 1 week',
      project: 'production',
    });
    await popup.screenshot({ path: screenshotPath('scaleway-key-created.png'), fullPage: true });
    assert.equal(result.kind, 'ok', result.text);
    const accessKey = result.fields['Access key'];
    const entryId = result.fields['Vault entry'];
    assert.match(accessKey, ACCESS_KEY);
    assert.match(entryId, HEX_ID);
    assert.ok(result.text.includes(`Vaulted as entry ${entryId}`), result.text);

    const stored = fake.apiKey(accessKey);
    assert.equal(stored.user_id, fake.signer.userId);
    assert.equal(stored.application_id ?? undefined, undefined);
    assert.equal(stored.description, 'laptop via Keysmith');
    assert.equal(stored.default_project_id, fake.projects[1].id);
    const expires = Date.parse(stored.expires_at);
    assert.ok(Math.abs(expires - (before + 7 * DAY_MS)) < 60_000, stored.expires_at);
    created.self = { accessKey, entryId, secret: stored.secret_key };

    // Stored before the reply.
    const { local } = await dumpStorage(popup);
    assert.equal(typeof local[`keysmith.entry.${entryId}`], 'string');
    assert.ok(!JSON.stringify(local).includes(stored.secret_key), 'the secret is in storage in plain text');

    await popup.locator('#entry-list > li').first().waitFor();
    const entries = await listedEntries(popup);
    const listed = entries.find((e) => e.title === accessKey);
    assert.ok(listed !== undefined, JSON.stringify(entries));
    assert.ok(listed.text.includes('Scaleway'), listed.text);
    assert.equal(listed.fields.Project, fake.projects[1].id);
    assert.equal(listed.fields.Description, 'laptop via Keysmith');
    assert.ok(listed.fields.Expires !== undefined && listed.fields.Expires !== '', JSON.stringify(listed.fields));

    const yaml = await exportEntry(popup, accessKey, 'Scaleway config.yaml profile', 'default');
    // The core quotes a scalar only when YAML could read it as something else (e.g. a leading digit).
    assert.match(yaml, /^profiles:\n {2}default:\n/);
    assert.deepEqual(yamlFields(yaml), {
      access_key: accessKey,
      secret_key: stored.secret_key,
      default_organization_id: fake.organizationId,
      default_project_id: fake.projects[1].id,
      default_region: 'fr-par',
      default_zone: 'fr-par-1',
    });
    await popup.getByLabel('Scaleway region for exports').fill('nl-ams');
    await popup.getByLabel('Scaleway zone for exports').fill('nl-ams-1');
    const env = await exportEntry(popup, accessKey, 'export SCW_… lines');
    assert.ok(env.includes(`export SCW_ACCESS_KEY=${accessKey}\n`), env);
    assert.ok(env.includes(`export SCW_SECRET_KEY=${stored.secret_key}\n`), env);
    assert.ok(env.includes('export SCW_DEFAULT_REGION=nl-ams\n'), env);
    assert.ok(env.includes('export SCW_DEFAULT_ZONE=nl-ams-1\n'), env);
    await popup.getByLabel('Scaleway region for exports').fill('fr-par');
    await popup.getByLabel('Scaleway zone for exports').fill('fr-par-1');
    await popup.locator('#entry-list .export-panel:visible').getByRole('button', { name: 'Hide' }).click();
  });

  test('create a key for an existing application, and for a new one', async () => {
    const existing = await createScalewayKey(popup, fake.signer, { for: 'application', application: 'ci-deployer' });
    assert.equal(existing.kind, 'ok', existing.text);
    assert.equal(existing.fields.Bearer, 'Application ci-deployer');
    assert.equal(existing.fields.Expires, 'never');
    const onApp = fake.apiKey(existing.fields['Access key']);
    assert.equal(onApp.application_id, fake.deployApp.id);
    assert.equal(onApp.expires_at ?? undefined, undefined);

    const fresh = await createScalewayKey(popup, fake.signer, {
      for: 'application',
      newApplication: 'nightly-builds',
      description: 'nightly',
      expiry: 'In 1 day',
    });
    assert.equal(fresh.kind, 'ok', fresh.text);
    assert.equal(fresh.fields.Bearer, 'Application nightly-builds');
    const onNew = fake.apiKey(fresh.fields['Access key']);
    const apps = await sendFromPage(popup, {
      type: 'scaleway.listApplications',
      signerId,
      organizationId: fake.organizationId,
      name: 'nightly-builds',
    });
    assert.equal(apps.ok, true, JSON.stringify(apps));
    assert.equal(apps.result.applications.length, 1);
    assert.equal(onNew.application_id, apps.result.applications[0].id);
    // The new application is now selected in the form.
    assert.equal(
      await popup.locator('#scw-application').evaluate((select) => select.selectedOptions[0]?.textContent),
      'nightly-builds',
    );
    created.newApp = { accessKey: fresh.fields['Access key'], applicationId: onNew.application_id };
    const entries = await listedEntries(popup);
    for (const key of [existing.fields['Access key'], fresh.fields['Access key']]) {
      assert.ok(entries.some((e) => e.title === key), `${key} is not listed`);
    }
  });

  test('push the new key to Secret Manager as well', async () => {
    const result = await createScalewayKey(popup, fake.signer, {
      for: 'application',
      application: 'ci-deployer',
      project: 'production',
      push: { region: 'fr-par', name: 'deployer-key' },
    });
    assert.equal(result.kind, 'ok', result.text);
    assert.match(result.fields['Secret Manager'], /^deployer-key \(fr-par, revision 1\)$/);
    const accessKey = result.fields['Access key'];
    pushed.add(accessKey);
    const secret = fake.secrets().find((s) => s.name === 'deployer-key');
    assert.ok(secret !== undefined);
    assert.equal(secret.project_id, fake.projects[1].id);
    const data = JSON.parse(secret.versions[0].data.toString('utf8'));
    assert.deepEqual(data, { access_key: accessKey, secret_key: fake.apiKey(accessKey).secret_key });
  });

  test('errors: a wrong secret key, a quota exceeded (nothing vaulted), permissions', async () => {
    const signersBefore = (await sendFromPage(popup, { type: 'signers.list' })).result.signers.length;
    const wrong = await addScalewaySigner(browser, { accessKey: fake.signer.accessKey, secretKey: randomUUID() });
    assert.equal(wrong.kind, 'error');
    assert.equal(wrong.errorCode, 'denied_authentication');
    assert.match(wrong.text, /^Scaleway rejected the secret key/);

    const malformed = await addScalewaySigner(browser, { accessKey: fake.signer.accessKey, secretKey: 'not-a-uuid' });
    assert.equal(malformed.kind, 'error');
    assert.equal(malformed.errorCode, 'invalid_credentials', malformed.text);
    assert.equal((await sendFromPage(popup, { type: 'signers.list' })).result.signers.length, signersBefore, 'a refused signer was stored');

    // Verify again (the failed verification disabled creation).
    assert.equal((await verifyScalewaySigner(popup, fake.signer)).kind, 'ok');
    const countBefore = (await listedEntries(popup)).length;
    fake.setApiKeyQuota(0);
    try {
      const quota = await createScalewayKey(popup, fake.signer, { for: 'self' });
      assert.equal(quota.kind, 'error');
      assert.equal(quota.errorCode, 'quotas_exceeded');
      assert.match(quota.text, /quota is exceeded/);
    } finally {
      fake.setApiKeyQuota(10);
    }
    assert.equal((await sendFromPage(popup, { type: 'vault.list' })).result.entries.length, countBefore);

    // A member without policies may not list Projects: the worker passes Scaleway's type on.
    const member = await addScalewaySigner(browser, fake.member);
    assert.equal(member.kind, 'ok', member.text);
    const denied = await sendFromPage(popup, {
      type: 'scaleway.listProjects',
      signerId: member.signerId,
      organizationId: fake.organizationId,
    });
    assert.equal(denied.error?.providerCode, 'permissions_denied', JSON.stringify(denied));
  });

  test('list keys with their expired flag, and delete one', async () => {
    const listed = await sendFromPage(popup, {
      type: 'scaleway.listApiKeys',
      signerId,
      bearerType: 'user',
      bearerId: fake.signer.userId,
    });
    assert.equal(listed.ok, true, JSON.stringify(listed));
    const expired = listed.result.apiKeys.find((k) => k.accessKey === fake.expired.accessKey);
    assert.equal(expired?.expired, true, JSON.stringify(listed.result));
    const mine = listed.result.apiKeys.find((k) => k.accessKey === created.self.accessKey);
    assert.equal(mine?.expired, false);
    assert.ok(!JSON.stringify(listed).includes(created.self.secret));

    const deleted = await sendFromPage(popup, {
      type: 'scaleway.deleteApiKey',
      signerId,
      accessKey: created.newApp.accessKey,
    });
    assert.equal(deleted.ok, true, JSON.stringify(deleted));
    assert.equal(fake.apiKey(created.newApp.accessKey), undefined);
  });

  test('popup: keys of this bearer, with an expired badge; delete one after confirming', async () => {
    assert.equal((await verifyScalewaySigner(popup, fake.signer)).kind, 'ok');
    const section = popup.locator('#scw-keys');
    await section.waitFor();
    const item = (accessKey) => section.locator(`li[data-access-key="${accessKey}"]`);
    const old = item(fake.expired.accessKey);
    await old.waitFor();
    assert.equal(await old.locator('.badge.expired').textContent(), 'expired');
    const mine = item(created.self.accessKey);
    assert.equal(await mine.locator('.badge.expired').count(), 0);
    assert.ok((await mine.innerText()).includes('laptop via Keysmith'), await mine.innerText());
    const signerItem = item(fake.signer.accessKey);
    assert.equal(await signerItem.locator('.badge').filter({ hasText: 'signer' }).count(), 1);

    // Cancel first: nothing is deleted.
    const auditBefore = fake.audit().length;
    await old.getByRole('button', { name: `Delete ${fake.expired.accessKey} at Scaleway` }).click();
    const confirm = popup.getByRole('group', { name: `Confirm deleting ${fake.expired.accessKey} at Scaleway` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await confirm.isVisible(), false);
    assert.equal(fake.audit().length, auditBefore);
    assert.notEqual(fake.apiKey(fake.expired.accessKey), undefined);

    // Then delete, signed by the vaulted signer.
    await old.getByRole('button', { name: `Delete ${fake.expired.accessKey} at Scaleway` }).click();
    await popup.locator('#scw-status').evaluate((status) => {
      delete status.dataset.kind;
    });
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await popup.locator('#scw-status[data-kind="ok"]').filter({ hasText: 'Scaleway API key deleted' }).waitFor();
    assert.equal(fake.apiKey(fake.expired.accessKey), undefined);
    assert.equal(await old.count(), 0);
    assert.equal(await mine.count(), 1);
  });

  test('content scripts (in the Scaleway console) may send no Scaleway message', async () => {
    // The content script runs in an isolated world; reach it through the DevTools protocol.
    const world = await contentScriptWorld(browser, {
      url: 'https://console.scaleway.com/iam/api-keys',
      body: '<!doctype html><title>console</title><p>fixture</p>',
      readySelector: 'html[data-keysmith-content="scaleway-console"]',
    });
    const { page } = world;
    try {
      const auditBefore = fake.audit().length;
      const messages = [
        { type: 'ping' },
        { type: 'scaleway.verifySigner', signerId },
        { type: 'scaleway.createApiKey', signerId, userId: fake.signer.userId },
        { type: 'scaleway.listApplications', signerId, organizationId: fake.organizationId },
        { type: 'scaleway.createApplication', signerId, organizationId: fake.organizationId, name: 'from-console' },
        { type: 'scaleway.listProjects', signerId, organizationId: fake.organizationId },
        { type: 'scaleway.listApiKeys', signerId },
        { type: 'scaleway.deleteApiKey', signerId, accessKey: created.self.accessKey },
      ];
      for (const message of messages) {
        const reply = await world.send(message);
        if (message.type === 'ping') {
          assert.equal(reply.ok, true, 'the channel works, so refusals are the worker\'s decision');
        } else {
          assert.equal(reply.error?.code, 'sender_not_allowed', `${message.type}: ${JSON.stringify(reply)}`);
        }
      }
      assert.equal(fake.audit().length, auditBefore, 'a refused message still reached Scaleway');
      assert.notEqual(fake.apiKey(created.self.accessKey), undefined);
    } finally {
      await page.close();
    }
  });

  test('audit: no secret key anywhere but the signer\'s X-Auth-Token and the pushed version data', () => {
    const audit = fake.audit();
    assert.ok(audit.length > 10, `only ${audit.length} requests were audited`);
    assert.equal(fake.auditDropped(), 0);
    const secrets = fake.allSecretKeys();
    assert.ok(secrets.length >= 8, `only ${secrets.length} secrets issued`);
    const pushedSecrets = new Set([...pushed].map((accessKey) => fake.apiKey(accessKey).secret_key));
    const signerSecrets = new Set([fake.signer.secretKey, fake.member.secretKey]);
    const encodings = (secret) => [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
    for (const entry of audit) {
      const where = `${entry.method} ${entry.path}`;
      const token = entry.headers['x-auth-token'];
      if (token !== undefined && secrets.includes(token)) {
        assert.ok(signerSecrets.has(token), `${where}: a created key's secret was used as X-Auth-Token`);
      }
      const { 'x-auth-token': _token, ...otherHeaders } = entry.headers;
      let body = entry.body;
      let versionData = '';
      if (entry.method === 'POST' && /\/secrets\/[^/]+\/versions$/.test(entry.path)) {
        const parsed = JSON.parse(entry.body);
        versionData = Buffer.from(parsed.data, 'base64').toString('utf8');
        body = JSON.stringify({ ...parsed, data: '' });
      }
      const visible = [entry.path, entry.query, JSON.stringify(otherHeaders), body].join('\n');
      for (const secret of secrets) {
        for (const encoded of encodings(secret)) {
          assert.ok(!visible.includes(encoded), `${where}: a secret key appears in the request`);
        }
        if (versionData.includes(secret)) {
          assert.ok(pushedSecrets.has(secret), `${where}: a secret other than the pushed key's is in the version data`);
        }
      }
    }
    // And none in what the extension logged.
    const logged = browser.consoleLines.join('\n');
    for (const secret of secrets) {
      assert.ok(!logged.includes(secret), 'a secret key appears in the console output');
    }
  });
});
