// End to end: IAM users and policies, Secrets Manager push, and recorded key rotation (full,
// resumed after the worker stopped, rolled back), through the popup of the test build in
// Chromium, against moto with signature verification on.
// Run: node --test tests/e2e/aws-flows.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { armPause, dumpStorage, launchExtension, openPopup, screenshotPath, sendFromPage, stopServiceWorker, waitForPause } from '../support/browser.mjs';
import { loadCore, signedJson, signedQuery } from '../support/core.mjs';
import { repoRoot, startMoto, xmlText } from '../support/moto.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import {
  chooseSigner,
  createAccessKey,
  deleteOrphan,
  exportEntry,
  unfinishedAction,
  waitForFormResult,
} from '../support/popup-driver.mjs';
import { addAwsSigner, openOptions, setUpAwsSigner } from '../support/signer-driver.mjs';
import { buttonHost, clickInShadow, injectedButton, serveConsoles } from '../support/console-driver.mjs';

const PASSPHRASE = 'granite lantern october sparrow';

/** The secret of a vaulted access key, read back through the popup's export. */
async function vaultedSecret(popup, accessKeyId) {
  const text = await exportEntry(popup, accessKeyId, 'export AWS_… lines');
  await popup.locator('#entry-list .export-panel:visible').getByRole('button', { name: 'Hide' }).click();
  return /AWS_SECRET_ACCESS_KEY=['"]?([^'"\s]+)/.exec(text)?.[1];
}

describe('AWS flows against moto', { timeout: 300_000 }, () => {
  let moto;
  let browser;
  let popup;
  let core;
  /** The vaulted signer holding moto's seeded key. */
  let signerId;

  /** The user's access keys in moto: id → status. */
  async function motoKeys(userName) {
    const listed = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      params: { Action: 'ListAccessKeys', UserName: userName },
      credentials: moto.signer,
    });
    assert.equal(listed.status, 200, listed.text);
    const keys = {};
    for (const member of listed.text.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
      keys[/<AccessKeyId>([^<]+)/.exec(member[1])[1]] = /<Status>([^<]+)/.exec(member[1])[1];
    }
    return keys;
  }

  async function rotationRecords() {
    const { local } = await dumpStorage(popup);
    return Object.entries(local).filter(([key]) => key.startsWith('keysmith.rotation.'));
  }

  async function startRotation(userName, oldKeyId) {
    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.locator('#rotation-user').fill(userName);
    await popup.locator('#rotation-old-key').fill(oldKeyId);
    await popup.getByRole('button', { name: 'Start rotation' }).click();
  }


  /** Arms a test-build pause point, starts `action`, stops the worker there, reopens the popup. */
  async function interruptAt(step, action) {
    await armPause(popup, step);
    await action();
    await waitForPause(popup, step);
    await stopServiceWorker(browser, popup);
    await popup.reload();
    await popup.locator('#core-version').filter({ hasNotText: 'loading…' }).waitFor();
  }

  before(
    async () => {
      core = await loadCore();
      moto = await startMoto({
        extraUsers: ['console-user', 'rot-full', 'rot-resume', 'rot-back', 'rot-twice', 'push-limited', 'push-target'],
        env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
      });
      browser = await launchExtension();
      popup = await openPopup(browser);
      signerId = await setUpAwsSigner(browser, popup, { endpoint: moto.endpoint, passphrase: PASSPHRASE, signer: moto.signer });
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => moto?.stop()));

  test('create a user, attach template and custom policies, list them, then create and vault a key with a Secrets Manager push', async () => {
    const form = 'iam-user-form';
    await popup.locator('#iam-user-name').fill('deploy-bot');
    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByRole('button', { name: 'Create user' }).click();
    let result = await waitForFormResult(popup, form, 'iam-user-status');
    assert.equal(result.kind, 'ok', result.text);
    assert.equal(result.fields.User, 'deploy-bot');
    assert.match(result.fields.ARN, /^arn:aws:iam::\d{12}:user\/deploy-bot$/);

    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByRole('button', { name: 'Attach policy' }).click();
    result = await waitForFormResult(popup, form, 'iam-user-status');
    assert.equal(result.kind, 'ok', result.text);
    assert.equal(result.fields['Policy ARN'], 'arn:aws:iam::aws:policy/AmazonEC2FullAccess');

    // A custom ARN is checked before anything is sent.
    await popup.getByLabel('Policy', { exact: true }).selectOption('custom');
    await popup.getByLabel('Policy ARN').fill('arn:aws:s3:::team-bucket');
    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByRole('button', { name: 'Attach policy' }).click();
    result = await waitForFormResult(popup, form, 'iam-user-status');
    assert.equal(result.kind, 'error');
    assert.equal(result.errorCode, 'bad_request');
    await popup.getByLabel('Policy ARN').fill('arn:aws:iam::aws:policy/ReadOnlyAccess');
    await popup.getByRole('button', { name: 'Attach policy' }).click();
    result = await waitForFormResult(popup, form, 'iam-user-status');
    assert.equal(result.kind, 'ok', result.text);

    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByRole('button', { name: 'List attached policies' }).click();
    result = await waitForFormResult(popup, form, 'iam-user-status');
    assert.equal(result.text, 'deploy-bot has 2 attached policies.');
    const arns = await popup.locator('#iam-policy-list > li').evaluateAll((items) => items.map((li) => li.dataset.policyArn).sort());
    assert.deepEqual(arns, ['arn:aws:iam::aws:policy/AmazonEC2FullAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);

    // Hand the user to the access-key form, with a push to Secrets Manager.
    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByLabel('Also store it in AWS Secrets Manager').check();
    await popup.locator('#aws-push-region').selectOption('eu-west-3');
    await popup.locator('#aws-push-name').fill('team/deploy-bot');
    await popup.getByRole('button', { name: 'Create and vault a key for this user' }).click();
    const created = await waitForFormResult(popup, 'aws-form', 'status');
    assert.equal(created.kind, 'ok', created.text);
    assert.equal(created.fields.User, 'deploy-bot');
    assert.equal(created.fields['Secrets Manager'], 'team/deploy-bot');
    const keyId = created.fields['Access key ID'];
    const firstVersion = created.fields['Secret version'];

    const secret = await vaultedSecret(popup, keyId);
    assert.ok(secret !== undefined && secret.length >= 20);
    const read = async () => {
      const got = await signedJson(core, {
        endpoint: moto.endpoint,
        service: 'secretsmanager',
        region: 'eu-west-3',
        target: 'secretsmanager.GetSecretValue',
        params: { SecretId: 'team/deploy-bot' },
        credentials: moto.signer,
      });
      assert.equal(got.status, 200, got.text);
      return JSON.parse(got.text);
    };
    let stored = await read();
    assert.deepEqual(JSON.parse(stored.SecretString), { AccessKeyId: keyId, SecretAccessKey: secret });
    assert.equal(stored.VersionId, firstVersion);

    // The same name again: a new version of the existing secret (PutSecretValue).
    const second = await createAccessKey(popup, moto.signer, 'deploy-bot', { push: { region: 'eu-west-3', name: 'team/deploy-bot' } });
    assert.equal(second.kind, 'ok', second.text);
    assert.notEqual(second.fields['Secret version'], firstVersion);
    stored = await read();
    assert.deepEqual(JSON.parse(stored.SecretString), {
      AccessKeyId: second.fields['Access key ID'],
      SecretAccessKey: await vaultedSecret(popup, second.fields['Access key ID']),
    });
    // The secret never reached a page or the worker's log.
    assert.ok(!browser.consoleLines.some((line) => line.includes(secret)));
  });

  test('the flow messages are validated: malformed ones are refused, and the worker keeps serving', async () => {
    const id = '0'.repeat(32);
    const malformed = [
      { type: 'aws.createUser', signerId, userName: 'no spaces' },
      { type: 'aws.createUser', signerId, userName: 'ok', extra: 1 },
      { type: 'aws.attachUserPolicy', signerId, userName: 'bob', policy: 'AdministratorAccess' },
      { type: 'aws.attachUserPolicy', signerId, userName: 'bob', policy: 'arn:aws:s3:::bucket' },
      { type: 'aws.listAttachedUserPolicies', signerId },
      // The old signer model: credentials in the message are refused, whatever else is right.
      { type: 'aws.createUser', credentials: moto.signer, userName: 'bob' },
      { type: 'aws.rotation.start', signerId, credentials: moto.signer, userName: 'bob', oldKeyId: moto.signer.accessKeyId },
      { type: 'aws.createUser', signerId: signerId.toUpperCase(), userName: 'bob' },
      { type: 'aws.findOrphans', signerId, markerId: '../settings' },
      { type: 'aws.dismissPending', markerId: 'A'.repeat(32) },
      { type: 'aws.pendingCreates', markerId: id },
      { type: 'aws.rotation.start', signerId, userName: 'bob', oldKeyId: 'not-a-key' },
      { type: 'aws.rotation.resume', signerId, rotationId: 42 },
      { type: 'aws.rotation.confirm', rotationId: id },
      { type: 'aws.rotation.rollback', signerId, rotationId: `${id}0` },
      { type: 'aws.rotation.list', all: true },
    ];
    for (const message of malformed) {
      const reply = await sendFromPage(popup, message);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(message)}`);
      assert.equal(reply.error.code, 'bad_request', JSON.stringify(reply));
    }
    const unknown = await sendFromPage(popup, { type: 'aws.rotation.confirm', signerId, rotationId: id });
    assert.equal(unknown.error?.code, 'not_found', JSON.stringify(unknown));
    const listed = await sendFromPage(popup, { type: 'aws.rotation.list' });
    assert.deepEqual(listed, { ok: true, result: [] });
  });

  test("the orphan check marks the vaulted signer's own key as the signer, never as an orphan", async () => {
    // A create for the signing user whose outcome was left unknown.
    const marker = { id: 'e'.repeat(32), userName: null, startedAt: Date.now() - 3_600_000, purpose: 'create' };
    await popup.evaluate((m) => chrome.storage.local.set({ [`keysmith.pending.${m.id}`]: m }), marker);
    const reply = await sendFromPage(popup, { type: 'aws.findOrphans', signerId, markerId: marker.id });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const own = reply.result.keys.find((key) => key.accessKeyId === moto.signer.accessKeyId);
    assert.equal(own?.isSigner, true, JSON.stringify(reply.result.keys));
    assert.equal(reply.result.resolved, true);
    const { local } = await dumpStorage(popup);
    assert.equal(local[`keysmith.pending.${marker.id}`], undefined, 'the marker is cleared');
  });

  test('the console\'s "Create and vault key" runs the same create: stopped after AWS answered, its key is found as an orphan', async () => {
    await serveConsoles(browser.context, { variant: 'classic', appId: '', next: {}, nextKey: () => ({}) });
    const consolePage = await browser.context.newPage();
    try {
      await consolePage.goto('https://us-east-1.console.aws.amazon.com/iam/home#/users/details/console-user?section=security_credentials');
      await injectedButton(consolePage, 'aws-create-access-key');
      await interruptAt('after-provider', () => clickInShadow(consolePage, buttonHost('aws-create-access-key')));
    } finally {
      await consolePage.close();
    }
    await popup.locator('#pending-list > li').filter({ hasText: 'created for console-user' }).waitFor();
    const inAws = Object.keys(await motoKeys('console-user'));
    assert.equal(inAws.length, 1, 'AWS made the key');
    const check = await unfinishedAction(popup, moto.signer, 'Check the keys of console-user');
    assert.match(check.text, /1 key of console-user is not in the vault/);
    await deleteOrphan(popup, moto.signer, inAws[0]);
    assert.deepEqual(await motoKeys('console-user'), {});
    const { local } = await dumpStorage(popup);
    assert.deepEqual(Object.keys(local).filter((key) => key.startsWith('keysmith.pending.')), []);
  });

  test('a bad push target is refused before any key is created', async () => {
    for (const pushSecret of [
      { region: 'eu-west-3', name: 'bad name' },
      { region: 'eu-west-3', name: 'team/key-abcdef' },
      { region: 'mars-1', name: 'team/key' },
    ]) {
      const reply = await sendFromPage(popup, { type: 'aws.createAccessKey', signerId, userName: 'rot-full', pushSecret });
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, 'bad_request', JSON.stringify(reply));
    }
    assert.deepEqual(await motoKeys('rot-full'), {});
  });

  test('a push the signer may not make: the key is still created and vaulted, and the popup says why it was not pushed', async () => {
    const put = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: {
        Action: 'PutUserPolicy',
        UserName: 'push-limited',
        PolicyName: 'keys-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'], Resource: '*' },
          ],
        }),
      },
    });
    assert.equal(put.status, 200, put.text);
    const key = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: { Action: 'CreateAccessKey', UserName: 'push-limited' },
    });
    const limited = { accessKeyId: xmlText(key.text, 'AccessKeyId'), secretAccessKey: xmlText(key.text, 'SecretAccessKey') };
    const added = await addAwsSigner(browser, limited);
    assert.equal(added.kind, 'ok', added.text);
    const result = await createAccessKey(popup, limited, 'push-target', { push: { region: 'us-east-1', name: 'team/pushtarget' } });
    assert.equal(result.kind, 'ok', result.text);
    // moto answers a JSON 1.1 service's authorization failure with an XML ErrorResponse (AWS
    // sends JSON, AccessDeniedException); the core does not guess and reports the HTTP 403.
    assert.match(result.fields['Secrets Manager'], /^not pushed: .*HTTP 403/);
    const keyId = result.fields['Access key ID'];
    assert.deepEqual(Object.keys(await motoKeys('push-target')), [keyId]);
    await popup.locator('#entry-list > li .entry-title', { hasText: keyId }).waitFor();
  });

  test("rotating the signer's own key is refused before anything changes", async () => {
    await startRotation('keysmith-issuer', moto.signer.accessKeyId);
    const result = await waitForFormResult(popup, 'rotation-form', 'rotation-status');
    assert.equal(result.kind, 'error');
    assert.equal(result.errorCode, 'rotation_blocked');
    assert.match(result.text, /signs Keysmith's requests/);
    assert.deepEqual(await motoKeys('keysmith-issuer'), { [moto.signer.accessKeyId]: 'Active' });
    assert.deepEqual(await rotationRecords(), []);
  });

  test('confirming again after the old key is already gone completes the rotation', async () => {
    const first = await createAccessKey(popup, moto.signer, 'rot-twice');
    const oldId = first.fields['Access key ID'];
    await startRotation('rot-twice', oldId);
    const shown = await waitForFormResult(popup, 'rotation-form', 'rotation-status');
    assert.equal(shown.fields.Step, 'old key deactivated: waiting for your confirmation');
    // As if the worker had deleted it and stopped before recording the step.
    const deleted = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: { Action: 'DeleteAccessKey', UserName: 'rot-twice', AccessKeyId: oldId },
    });
    assert.equal(deleted.status, 200, deleted.text);
    const confirmed = await unfinishedAction(popup, moto.signer, `Confirm rotation of ${oldId}: delete the old key`);
    assert.equal(confirmed.kind, 'ok', confirmed.text);
    assert.deepEqual(Object.keys(await motoKeys('rot-twice')), [shown.fields['New key']]);
    assert.deepEqual(await rotationRecords(), []);
  });

  test('full rotation: new key vaulted, old deactivated, deleted only after confirmation', async () => {
    const first = await createAccessKey(popup, moto.signer, 'rot-full');
    assert.equal(first.kind, 'ok', first.text);
    const oldId = first.fields['Access key ID'];
    await startRotation('rot-full', oldId);
    const shown = await waitForFormResult(popup, 'rotation-form', 'rotation-status');
    assert.equal(shown.kind, 'ok', shown.text);
    assert.equal(shown.fields.Step, 'old key deactivated: waiting for your confirmation');
    const newId = shown.fields['New key'];
    assert.deepEqual(await motoKeys('rot-full'), { [oldId]: 'Inactive', [newId]: 'Active' });
    await popup.locator('#entry-list > li .entry-title', { hasText: newId }).waitFor();
    // The record holds ids and steps only.
    const records = await rotationRecords();
    assert.equal(records.length, 1);
    const [, record] = records[0];
    assert.deepEqual(Object.keys(record).sort(), ['canRollBack', 'entryStorageKey', 'id', 'newKeyId', 'next', 'oldKeyId', 'startedAt', 'state', 'updatedAt', 'userName']);
    assert.equal(record.state, 'old_key_deactivated');

    // The confirmation is offered in the unfinished panel (also after reopening the popup).
    await popup.reload();
    const result = await unfinishedAction(popup, moto.signer, `Confirm rotation of ${oldId}: delete the old key`);
    assert.equal(result.kind, 'ok', result.text);
    assert.match(result.text, /completed/);
    assert.deepEqual(await motoKeys('rot-full'), { [newId]: 'Active' });
    assert.deepEqual(await rotationRecords(), []);
  });

  test('a rotation interrupted after the new key was stored is resumed on the next open', async () => {
    const first = await createAccessKey(popup, moto.signer, 'rot-resume');
    const oldId = first.fields['Access key ID'];
    await interruptAt('after-store', () => startRotation('rot-resume', oldId));
    const row = popup.locator('#rotation-list > li');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'new_key_created');
    const keys = await motoKeys('rot-resume');
    assert.equal(Object.keys(keys).length, 2);
    assert.equal(keys[oldId], 'Active', 'the old key is untouched so far');
    // The create's marker is reported too; the vault holds both keys, so checking resolves it.
    await popup.locator('#pending-list > li').waitFor();
    const check = await unfinishedAction(popup, moto.signer, 'Check the keys of rot-resume');
    assert.match(check.text, /No key made for rot-resume since then is missing from the vault/);

    const resumed = await unfinishedAction(popup, moto.signer, `Resume rotation of ${oldId}`);
    assert.equal(resumed.kind, 'ok', resumed.text);
    const newId = Object.keys(keys).find((id) => id !== oldId);
    assert.deepEqual(await motoKeys('rot-resume'), { [oldId]: 'Inactive', [newId]: 'Active' });
    const confirmed = await unfinishedAction(popup, moto.signer, `Confirm rotation of ${oldId}: delete the old key`);
    assert.equal(confirmed.kind, 'ok', confirmed.text);
    assert.deepEqual(await motoKeys('rot-resume'), { [newId]: 'Active' });
    await popup.locator('#entry-list > li .entry-title', { hasText: newId }).waitFor();
  });

  test('a rotation interrupted before the new key was stored cannot resume and is rolled back', async () => {
    const first = await createAccessKey(popup, moto.signer, 'rot-back');
    const oldId = first.fields['Access key ID'];
    await interruptAt('after-provider', () => startRotation('rot-back', oldId));
    await popup.locator('#rotation-list > li[data-state="new_key_created"]').waitFor();
    assert.equal(Object.keys(await motoKeys('rot-back')).length, 2);

    const resumed = await unfinishedAction(popup, moto.signer, `Resume rotation of ${oldId}`);
    assert.equal(resumed.kind, 'error');
    assert.equal(resumed.code, 'rotation_blocked');
    await popup.locator('#aws-unfinished').screenshot({ path: screenshotPath('e2e-rotation-blocked.png') });
    assert.match(resumed.text, /secret was lost before it reached the vault/);

    const rolledBack = await unfinishedAction(popup, moto.signer, `Roll back rotation of ${oldId}`);
    assert.equal(rolledBack.kind, 'ok', rolledBack.text);
    assert.match(rolledBack.text, /rolled back/);
    assert.deepEqual(await motoKeys('rot-back'), { [oldId]: 'Active' });
    assert.deepEqual(await rotationRecords(), []);
    // Its create marker: the new key is gone, the old one is vaulted, so it resolves.
    const check = await unfinishedAction(popup, moto.signer, 'Check the keys of rot-back');
    assert.match(check.text, /No key made for rot-back since then is missing from the vault/);
    assert.equal(await popup.locator('#pending-list > li').count(), 0);
  });

  test('the signer policy covers the push; the user screen has its own, template-limited addition (as in the README)', async () => {
    const options = await openOptions(browser);
    const issuer = JSON.parse(await options.locator('#signer-policy-json').innerText());
    const users = JSON.parse(await options.locator('#signer-policy-users-json').innerText());
    await options.close();
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Signer policy'), readme.indexOf('## Custom endpoints'));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    assert.equal(blocks.length, 3);
    assert.deepEqual(blocks[2], users);
    const issuerActions = issuer.Statement.flatMap((statement) => statement.Action);
    assert.ok(issuerActions.includes('secretsmanager:CreateSecret') && issuerActions.includes('secretsmanager:PutSecretValue'));
    assert.ok(!issuerActions.includes('iam:CreateUser') && !issuerActions.includes('iam:AttachUserPolicy'));
    const [statement] = users.Statement;
    assert.deepEqual(statement.Action, ['iam:CreateUser', 'iam:AttachUserPolicy', 'iam:ListAttachedUserPolicies']);
    assert.deepEqual(statement.Condition.ArnEqualsIfExists['iam:PolicyARN'], [
      'arn:aws:iam::aws:policy/AmazonEC2FullAccess',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });
});
