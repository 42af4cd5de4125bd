// End to end: signer identities in real Chromium against moto (signature checking on), through
// a recording proxy that shows what the extension sent. Add a signer from pasted text (verified
// first), use it after a service-worker restart, keep role credentials for the session only,
// and exchange an MFA code for session credentials that then sign the IAM calls.
// Run: node --test tests/e2e/signers.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dumpStorage, launchExtension, openPopup, screenshotPath, sendFromPage, stopServiceWorker } from '../support/browser.mjs';
import { loadCore, signedQuery } from '../support/core.mjs';
import { SIGNER_USER, startMoto, xmlText } from '../support/moto.mjs';
import {
  chooseSigner,
  createVault,
  lockVault,
  setAwsEndpoint,
  unlockVault,
  verifyIdentity,
  waitForFormResult,
} from '../support/popup-driver.mjs';
import { startRecordingProxy } from '../support/recording-proxy.mjs';
import { addAwsSigner, openOptions, signerIdFor } from '../support/signer-driver.mjs';
import { cleanUp } from '../support/cleanup.mjs';

const PASSPHRASE = 'walnut harbour sixty lanterns';
const TARGET_USER = 'dora';
const MFA_CODE = '123456';

/** Whether any 12-character piece of `secret` appears in `text`. */
function containsPiece(text, secret) {
  for (let start = 0; start + 12 <= secret.length; start += 1) {
    if (text.includes(secret.slice(start, start + 12))) {
      return true;
    }
  }
  return false;
}

describe('signer identities, end to end in Chromium', { timeout: 300_000 }, () => {
  let moto;
  let proxy;
  let browser;
  let popup;
  let core;
  let signerId;

  /** The form fields of the Query requests the proxy saw, with the access key id that signed each. */
  function seenCalls() {
    return proxy.requests.map((request) => ({
      params: Object.fromEntries(new URLSearchParams(request.body)),
      keyId: /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1],
      token: request.headers['x-amz-security-token'],
      response: request.response,
    }));
  }

  before(
    async () => {
      core = await loadCore();
      moto = await startMoto({ extraUsers: [TARGET_USER] });
      proxy = await startRecordingProxy(moto.endpoint);
      browser = await launchExtension();
      popup = await openPopup(browser);
      await setAwsEndpoint(popup, proxy.endpoint);
      const vault = await createVault(popup, PASSPHRASE);
      assert.equal(vault.ok, true, vault.error);
    },
    { timeout: 120_000 },
  );

  after(() => cleanUp(() => browser?.close(), () => proxy?.stop(), () => moto?.stop()));

  test('a pasted `export AWS_...` snippet is verified with GetCallerIdentity, then sealed', async () => {
    const text = `export AWS_ACCESS_KEY_ID=${moto.signer.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${moto.signer.secretAccessKey}\n`;
    const added = await addAwsSigner(browser, undefined, { text });
    assert.equal(added.kind, 'ok', added.text);
    assert.equal(added.fields['Access key ID'], moto.signer.accessKeyId);
    assert.equal(added.fields.Account, moto.accountId);
    assert.equal(added.fields.ARN, `arn:aws:iam::${moto.accountId}:user/${SIGNER_USER}`);
    assert.equal(added.fields.MFA, 'not required');
    signerId = added.signerId;
    const verified = seenCalls().filter((call) => call.params.Action === 'GetCallerIdentity');
    assert.equal(verified.length, 1);
    assert.equal(verified[0].keyId, moto.signer.accessKeyId);

    const { local, session } = await dumpStorage(popup);
    assert.equal(typeof local[`keysmith.entry.${signerId}`], 'string');
    const localText = JSON.stringify(local);
    assert.ok(!containsPiece(localText, moto.signer.secretAccessKey), 'the signer secret is in chrome.storage.local');
    assert.ok(!localText.includes(moto.signer.accessKeyId), 'the signer key id is in chrome.storage.local');
    assert.ok(!containsPiece(JSON.stringify(session), moto.signer.secretAccessKey), 'the signer secret is in session');

    // The options page lists it with its verified identity.
    const options = await openOptions(browser);
    const item = options.locator(`#signer-list > li[data-signer-id="${signerId}"]`);
    assert.match(await item.innerText(), new RegExp(`ARN\\s*arn:aws:iam::${moto.accountId}:user/${SIGNER_USER}`));
    await options.screenshot({ path: screenshotPath('signers-options.png'), fullPage: true });
    await options.close();
  });

  test('the vaulted signer still signs after the service worker restarts while unlocked', async () => {
    const stopped = await stopServiceWorker(browser, popup);
    const reply = sendFromPage(popup, { type: 'aws.getCallerIdentity', signerId });
    await stopped.waitUntilRunning();
    const identity = await reply;
    assert.equal(identity.ok, true, JSON.stringify(identity));
    assert.equal(identity.result.account, moto.accountId);
    const onScreen = await verifyIdentity(popup, moto.signer);
    assert.equal(onScreen.kind, 'ok', onScreen.text);
  });

  test('an unknown signer is no_signer; a locked vault is vault_locked', async () => {
    const unknown = await sendFromPage(popup, { type: 'aws.keySlot', signerId: 'f'.repeat(32), userName: TARGET_USER });
    assert.equal(unknown.error?.code, 'no_signer', JSON.stringify(unknown));
    await lockVault(popup);
    const locked = await sendFromPage(popup, { type: 'aws.keySlot', signerId, userName: TARGET_USER });
    assert.equal(locked.error?.code, 'vault_locked', JSON.stringify(locked));
    assert.match(locked.error.message, /unlock/);
    const unlocked = await unlockVault(popup, PASSPHRASE);
    assert.equal(unlocked.ok, true, unlocked.error);
  });

  test('role credentials are kept for the session only, with their expiry, and are gone after lock', async () => {
    // Role credentials as the IAM Identity Center portal hands them out: an assumed role's.
    const iam = (params) => signedQuery(core, { endpoint: moto.endpoint, service: 'iam', params, credentials: moto.signer });
    const roleName = 'keysmith-e2e-role';
    const made = await iam({
      Action: 'CreateRole',
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${moto.accountId}:user/${SIGNER_USER}` }, Action: 'sts:AssumeRole' }],
      }),
    });
    assert.equal(made.status, 200, made.text);
    const allowed = await iam({
      Action: 'PutRolePolicy',
      RoleName: roleName,
      PolicyName: 'all',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    });
    assert.equal(allowed.status, 200, allowed.text);
    const minted = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'sts',
      params: { Action: 'AssumeRole', RoleArn: xmlText(made.text, 'Arn'), RoleSessionName: 'e2e', DurationSeconds: '3600' },
      credentials: moto.signer,
    });
    assert.equal(minted.status, 200, minted.text);
    const role = {
      accessKeyId: xmlText(minted.text, 'AccessKeyId'),
      secretAccessKey: xmlText(minted.text, 'SecretAccessKey'),
      sessionToken: xmlText(minted.text, 'SessionToken'),
      expiration: xmlText(minted.text, 'Expiration'),
    };
    const added = await addAwsSigner(browser, role);
    assert.equal(added.kind, 'ok', added.text);
    assert.equal(added.fields.Kind, 'AWS role credentials, this session only');
    assert.match(added.fields.ARN, /:assumed-role\/keysmith-e2e-role\/e2e$/);
    assert.equal(added.fields.Expires, role.expiration);
    const { local, session } = await dumpStorage(popup);
    const key = `keysmith.entry.${added.signerId}`;
    assert.equal(local[key], undefined, 'role credentials were written to chrome.storage.local');
    assert.equal(typeof session[key], 'string');
    const stored = JSON.stringify({ local, session });
    for (const secret of [role.secretAccessKey, role.sessionToken]) {
      assert.ok(!containsPiece(stored, secret), 'a role secret is in chrome.storage in plaintext');
    }
    assert.ok(!stored.includes(role.accessKeyId), 'the role key id is in chrome.storage in plaintext');

    await lockVault(popup);
    assert.equal((await dumpStorage(popup)).session[key], undefined, 'role credentials outlived the lock');
    const unlocked = await unlockVault(popup, PASSPHRASE);
    assert.equal(unlocked.ok, true, unlocked.error);
    const listed = await sendFromPage(popup, { type: 'signers.list' });
    assert.deepEqual(
      listed.result.signers.map((signer) => signer.keyId),
      [moto.signer.accessKeyId],
      'the role signer came back after unlock',
    );
  });

  test('MFA: the popup asks for the code, GetSessionToken carries SerialNumber/TokenCode, IAM is signed with the session', async () => {
    const serial = `arn:aws:iam::${moto.accountId}:mfa/${SIGNER_USER}`;
    const options = await openOptions(browser);
    await options.getByRole('textbox', { name: `MFA device for ${moto.signer.accessKeyId}` }).fill(serial);
    await options.getByRole('button', { name: `Save MFA device for ${moto.signer.accessKeyId}` }).click();
    await options.locator('#signers-status[data-kind="ok"]').filter({ hasText: 'requires MFA' }).waitFor();
    assert.match(await options.locator(`#signer-list > li[data-signer-id="${signerId}"]`).innerText(), /MFA\s*required/);
    await options.close();
    assert.equal(await signerIdFor(popup, moto.signer.accessKeyId), signerId, 'the signer keeps its id');

    // Without a session, IAM calls are refused before anything is sent.
    const before = proxy.requests.length;
    const refused = await sendFromPage(popup, { type: 'aws.keySlot', signerId, userName: TARGET_USER });
    assert.equal(refused.error?.code, 'mfa_required', JSON.stringify(refused));
    assert.equal(proxy.requests.length, before);

    await popup.locator('#aws-signer option', { hasText: 'MFA' }).waitFor({ state: 'attached' });
    await chooseSigner(popup, 'aws', moto.signer.accessKeyId);
    await popup.getByLabel('IAM user name').fill(TARGET_USER);
    await popup.getByRole('button', { name: 'Create access key for user' }).click();
    const code = popup.getByLabel(/^MFA code for/);
    await code.waitFor();
    assert.match(await popup.locator('#mfa-hint').innerText(), /cannot call IAM unless they were obtained with an MFA code/);
    await code.fill(MFA_CODE);
    await popup.screenshot({ path: screenshotPath('signers-mfa-prompt.png'), fullPage: true });
    await popup.locator('#status').evaluate((status) => delete status.dataset.kind);
    await popup.getByRole('button', { name: 'Confirm MFA code' }).click();
    const result = await waitForFormResult(popup, 'aws-form', 'status');

    const calls = seenCalls().slice(before);
    const exchange = calls.find((call) => call.params.Action === 'GetSessionToken');
    assert.ok(exchange, `no GetSessionToken reached moto: ${JSON.stringify(calls.map((c) => c.params.Action))}`);
    assert.equal(exchange.params.SerialNumber, serial);
    assert.equal(exchange.params.TokenCode, MFA_CODE);
    assert.equal(exchange.keyId, moto.signer.accessKeyId, 'GetSessionToken is signed by the long-term signer');
    const iam = calls.filter((call) => ['ListAccessKeys', 'CreateAccessKey'].includes(call.params.Action));
    assert.ok(iam.length > 0, `no IAM call after the exchange (${result.kind}: ${result.text})`);
    // Signed with exactly the session GetSessionToken returned (moto answers with fixed ones).
    const sessionKeyId = xmlText(exchange.response, 'AccessKeyId');
    const sessionToken = xmlText(exchange.response, 'SessionToken');
    assert.ok(sessionKeyId !== '' && sessionKeyId !== moto.signer.accessKeyId, exchange.response);
    for (const call of iam) {
      assert.equal(call.keyId, sessionKeyId, `IAM was not signed with the MFA session: ${JSON.stringify(call.params)}`);
      assert.equal(call.token, sessionToken, 'the session token was not sent');
    }

    // The session is sealed in session storage (nothing readable), and gone on lock.
    const { session } = await dumpStorage(popup);
    const mfaKey = `keysmith.mfa.${signerId}`;
    assert.equal(typeof session[mfaKey]?.value, 'string');
    assert.ok(!JSON.stringify(session).includes(iam[0].keyId), 'the session key id is stored in plaintext');
    await lockVault(popup);
    assert.equal((await dumpStorage(popup)).session[mfaKey], undefined, 'the MFA session outlived the lock');
  });
});
