// End to end: the two-key choice, EC2 key pairs (popup) and the signer policy (options page) of the
// test build in Chromium, against moto with signature verification on.
// Run: node --test tests/e2e/aws-keys.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchExtension, openPopup, screenshotPath, sendFromPage } from '../support/browser.mjs';
import { listedAccessKeyIds, loadCore, signedQuery } from '../support/core.mjs';
import { repoRoot, startMoto, xmlText } from '../support/moto.mjs';
import {
  createAccessKey,
  createKeyPair,
  exportEntry,
  listedEntries,
} from '../support/popup-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';
import { addAwsSigner, openOptions, setUpAwsSigner } from '../support/signer-driver.mjs';

const TARGET_USER = 'bob';
const PASSPHRASE = 'granite lantern october sparrow';

describe('AWS key screens against moto', { timeout: 240_000 }, () => {
  let moto;
  let browser;
  let popup;
  let core;
  /** The vaulted signer holding moto's seeded key. */
  let signerId;

  /** The user's access key ids as moto lists them, signed from Node. */
  const motoKeyIds = (userName) => listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, userName);

  before(
    async () => {
      core = await loadCore();
      moto = await startMoto({ extraUsers: [TARGET_USER, 'limited'] });
      browser = await launchExtension();
      popup = await openPopup(browser);
      signerId = await setUpAwsSigner(browser, popup, { endpoint: moto.endpoint, passphrase: PASSPHRASE, signer: moto.signer });
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => moto?.stop()));

  test('the two-key limit: the third create offers both keys; deleting one lets the create proceed', async () => {
    const first = await createAccessKey(popup, moto.signer, TARGET_USER);
    assert.equal(first.kind, 'ok', first.text);
    const second = await createAccessKey(popup, moto.signer, TARGET_USER);
    assert.equal(second.kind, 'ok', second.text);
    const firstId = first.fields['Access key ID'];
    const secondId = second.fields['Access key ID'];
    assert.deepEqual(await motoKeyIds(TARGET_USER), [firstId, secondId].sort());

    const third = await createAccessKey(popup, moto.signer, TARGET_USER);
    assert.equal(third.kind, 'error', third.text);
    assert.equal(third.errorCode, 'key_limit');
    assert.match(third.text, /^User bob already has two access keys/);
    const choice = popup.locator('#key-slot');
    await choice.waitFor();
    assert.equal(await popup.locator('#key-slot-title').innerText(), 'bob already has 2 access keys');
    const rows = popup.locator('#key-slot-list > li');
    assert.equal(await rows.count(), 2);
    for (const id of [firstId, secondId]) {
      const row = rows.filter({ has: popup.locator('.entry-title', { hasText: id }) });
      const text = await row.innerText();
      assert.match(text, /Status\s*Active/, text);
      assert.match(text, /Created\s*\d{4}-\d\d-\d\d/, text);
      assert.match(text, /Last used\s*never/, text);
    }
    assert.equal(await popup.locator('#key-slot-list .suggested').count(), 1, 'exactly one key is suggested');
    assert.match(await popup.locator('#key-slot-status').innerText(), /^Suggested: deactivate AKIA/);
    // Nothing was changed by showing the choice.
    assert.deepEqual(await motoKeyIds(TARGET_USER), [firstId, secondId].sort());

    // Deactivating is reversible and does not free a slot: the choice stays, the suggestion moves.
    await popup.getByRole('button', { name: `Deactivate ${firstId}` }).click();
    await popup.locator('#key-slot-status').filter({ hasText: `${firstId} deactivated` }).waitFor();
    const firstRow = rows.filter({ has: popup.locator('.entry-title', { hasText: firstId }) });
    assert.match(await firstRow.innerText(), /Status\s*Inactive/);
    assert.equal(await popup.getByRole('button', { name: `Activate ${firstId}` }).isVisible(), true);

    // Delete asks first; Cancel leaves the key alone.
    await popup.getByRole('button', { name: `Delete ${secondId} in IAM` }).click();
    const confirmSecond = popup.getByRole('group', { name: `Confirm deleting ${secondId} in IAM` });
    await confirmSecond.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await confirmSecond.isVisible(), false);
    assert.equal((await motoKeyIds(TARGET_USER)).length, 2);

    // Delete the deactivated key: the slot is free and the create the user asked for proceeds.
    await popup.getByRole('button', { name: `Delete ${firstId} in IAM` }).click();
    await popup.getByRole('group', { name: `Confirm deleting ${firstId} in IAM` }).getByRole('button', { name: 'Delete key' }).click();
    await popup.locator('#status[data-kind="ok"]').filter({ hasText: 'Access key created and vaulted' }).waitFor({ timeout: 20_000 });
    await popup.screenshot({ path: screenshotPath('e2e-key-slot.png'), fullPage: true });
    assert.equal(await choice.isHidden(), true);
    const newId = await popup.locator('#status dt', { hasText: 'Access key ID' }).locator('xpath=following-sibling::dd[1]').innerText();
    assert.match(newId, /^AKIA/);
    assert.deepEqual(await motoKeyIds(TARGET_USER), [secondId, newId].sort());
    const entryId = await popup.locator('#status dt', { hasText: 'Vault entry' }).locator('xpath=following-sibling::dd[1]').innerText();
    assert.match(entryId, /^[0-9a-f]{32}$/);
    await popup.locator('#entry-list > li .entry-title', { hasText: newId }).waitFor();
  });

  test('aws.keySlot and the new messages are validated', async () => {
    const slot = await sendFromPage(popup, { type: 'aws.keySlot', signerId, userName: TARGET_USER });
    assert.equal(slot.ok, true, JSON.stringify(slot));
    assert.equal(slot.result.canCreate, false);
    assert.equal(slot.result.keys.length, 2);
    const malformed = [
      { type: 'aws.keySlot', signerId, userName: 'no spaces' },
      { type: 'aws.updateAccessKey', signerId, accessKeyId: 'AKIA1234567890ABCD', status: 'Expired' },
      { type: 'aws.deleteAccessKey', signerId, accessKeyId: 'not-an-id' },
      { type: 'aws.createKeyPair', signerId, region: 'eu-west-3.evil.example', keyName: 'k' },
      { type: 'aws.createKeyPair', signerId, region: 'eu-west-3', keyName: 'k', keyType: 'dsa' },
      { type: 'aws.createKeyPair', signerId, region: 'eu-west-3', keyName: 'new\nline' },
      { type: 'aws.describeKeyPairs', signerId, region: 'eu-west-3', keyNames: 'k' },
      { type: 'aws.deleteKeyPair', signerId, region: 'eu-west-3' },
    ];
    for (const message of malformed) {
      const reply = await sendFromPage(popup, message);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(message)}`);
      assert.equal(reply.error.code, 'bad_request', JSON.stringify(reply));
    }
  });

  test('EC2 key pairs in two regions are vaulted and exported as .pem', async () => {
    assert.equal(await popup.getByLabel('Region', { exact: true }).inputValue(), 'us-east-1', 'the default region');
    const paris = await createKeyPair(popup, moto.signer, { region: 'eu-west-3', keyName: 'e2e-paris' });
    assert.equal(paris.kind, 'ok', paris.text);
    assert.equal(paris.fields.Region, 'eu-west-3');
    assert.equal(paris.fields.Type, 'ed25519 (pem)');
    assert.match(paris.fields['Key pair ID'], /^key-/);
    assert.ok(paris.text.includes(`Vaulted as entry ${paris.fields['Vault entry']}`), paris.text);
    const virginia = await createKeyPair(popup, moto.signer, {
      region: 'us-east-1',
      keyName: 'e2e-virginia',
      keyType: 'rsa',
    });
    assert.equal(virginia.kind, 'ok', virginia.text);
    assert.equal(virginia.fields.Region, 'us-east-1');
    assert.equal(virginia.fields.Type, 'rsa (pem)');
    const described = await sendFromPage(popup, { type: 'aws.describeKeyPairs', signerId, region: 'eu-west-3' });
    assert.deepEqual(described.result.map((pair) => pair.keyName), ['e2e-paris']);

    await popup.locator('#entry-list > li .entry-title', { hasText: 'e2e-virginia' }).waitFor();
    const entries = await listedEntries(popup);
    const parisEntry = entries.find((entry) => entry.title === 'e2e-paris');
    assert.equal(parisEntry?.fields.Region, 'eu-west-3');
    for (const name of ['e2e-paris', 'e2e-virginia']) {
      const pem = await exportEntry(popup, name, 'Private key (.pem)');
      assert.ok(pem.startsWith('-----BEGIN'), `${name}: ${pem.slice(0, 30)}`);
      const label = await popup.locator('#entry-list > li', { has: popup.locator('.entry-title', { hasText: name }) }).locator('.export-panel label').innerText();
      assert.ok(label.includes(`chmod 400 ${name}.pem`), label);
      await popup.locator('#entry-list .export-panel:visible').getByRole('button', { name: 'Hide' }).click();
    }

    // List, then delete through the message (describe confirms it is gone).
    await popup.getByLabel('Region', { exact: true }).selectOption('eu-west-3');
    await popup.getByRole('button', { name: 'List key pairs' }).click();
    await popup.locator('#ec2-list > li .entry-title', { hasText: 'e2e-paris' }).waitFor();
    const deleted = await sendFromPage(popup, { type: 'aws.deleteKeyPair', signerId, region: 'eu-west-3', keyName: 'e2e-paris' });
    assert.equal(deleted.ok, true, JSON.stringify(deleted));
    const after = await sendFromPage(popup, { type: 'aws.describeKeyPairs', signerId, region: 'eu-west-3' });
    assert.deepEqual(after.result, []);
  });

  test('a signer lacking a permission is told which one', async () => {
    const put = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: {
        Action: 'PutUserPolicy',
        UserName: 'limited',
        PolicyName: 'list-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'], Resource: '*' }],
        }),
      },
    });
    assert.equal(put.status, 200, put.text);
    const key = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: { Action: 'CreateAccessKey', UserName: 'limited' },
    });
    const limited = { accessKeyId: xmlText(key.text, 'AccessKeyId'), secretAccessKey: xmlText(key.text, 'SecretAccessKey') };
    // GetCallerIdentity needs no permission: the limited key is a valid signer.
    const added = await addAwsSigner(browser, limited);
    assert.equal(added.kind, 'ok', added.text);
    const result = await createAccessKey(popup, limited, 'limited');
    assert.equal(result.kind, 'error', result.text);
    assert.equal(result.errorCode, 'AccessDenied');
    assert.match(result.text, /lacks the permission iam:CreateAccessKey/);
  });

  test('the options page shows the signer policy the README documents, with an MFA variant', async () => {
    const options = await openOptions(browser);
    const shown = JSON.parse(await options.locator('#signer-policy-json').innerText());
    const shownMfa = JSON.parse(await options.locator('#signer-policy-mfa-json').innerText());
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Signer policy'));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    assert.deepEqual(blocks[0], shown);
    assert.deepEqual(blocks[1], shownMfa);
    const actions = shown.Statement.flatMap((statement) => statement.Action);
    assert.ok(actions.includes('iam:CreateAccessKey') && actions.includes('ec2:CreateKeyPair'));
    assert.ok(!actions.some((action) => action.includes('*')), 'no wildcard actions');
    assert.ok(shownMfa.Statement.every((s) => s.Condition?.Bool?.['aws:MultiFactorAuthPresent'] === 'true'));
    assert.match(await options.locator('#signer-policy').innerText(), /GetSessionToken without an MFA code cannot call IAM/);
    await options.close();
  });
});
