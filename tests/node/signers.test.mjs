// Signer identities in the built package (build/pkg) in Node, against moto with SigV4
// verification on: signerAddAws verifies before it seals; provider calls open the sealed signer
// inside the core (vault_locked while locked, no_signer for an entry that is not a signer); an
// MFA signer needs its session for IAM; signerSetMfa re-seals under the same id.
// Run: node --test tests/node/signers.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadCore } from '../support/core.mjs';
import { startMoto } from '../support/moto.mjs';

const PASSPHRASE = 'node signer tests';

async function rejects(promise, code) {
  let thrown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Error, `expected a rejection with code ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `unexpected .code for: ${thrown.message}`);
  return thrown;
}

describe('signer identities in the core, against moto', () => {
  let core;
  let moto;
  let vaultHeader;

  before(async () => {
    core = await loadCore();
    ({ header: vaultHeader } = core.vaultCreate(PASSPHRASE, { mKib: 19456, t: 2, p: 1 }));
    moto = await startMoto({ extraUsers: ['erin'] });
  });

  after(async () => {
    core?.vaultLock();
    await moto?.stop();
  });

  test('a wrong secret is refused by AWS and nothing is sealed; the right one is sealed with its identity', async () => {
    const wrong = { ...moto.signer, secretAccessKey: `${moto.signer.secretAccessKey.slice(0, -1)}x` };
    const refused = await rejects(
      core.signerAddAws({ credentials: wrong, endpoint: moto.endpoint, vaultHeader }),
      'provider_error',
    );
    assert.equal(refused.providerCode, 'SignatureDoesNotMatch');

    const added = await core.signerAddAws({ credentials: moto.signer, endpoint: moto.endpoint, vaultHeader });
    assert.match(added.entry.storageKey, /^keysmith\.entry\.[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify(added).includes(moto.signer.secretAccessKey), 'the secret came back to JS');
    assert.equal(added.summary.kind, 'aws_access_key');
    assert.equal(added.summary.accountId, moto.accountId);
    assert.equal(added.summary.signer.account, moto.accountId);
    assert.equal(added.summary.signer.arn, `arn:aws:iam::${moto.accountId}:user/keysmith-issuer`);
    assert.equal(added.summary.signer.mfaSerial, null);

    // Provider calls take the sealed record and open it inside the core.
    const signer = { storageKey: added.entry.storageKey, value: added.entry.value };
    const identity = await core.stsGetCallerIdentity({ signer, endpoint: moto.endpoint });
    assert.equal(identity.account, moto.accountId);
    const keys = await core.iamListAccessKeys({ signer, endpoint: moto.endpoint, userName: 'erin' });
    assert.deepEqual(keys, []);

    core.vaultLock();
    await rejects(core.iamListAccessKeys({ signer, endpoint: moto.endpoint }), 'vault_locked');
    core.vaultUnlock(vaultHeader, PASSPHRASE);

    // A vaulted key that is not a signer cannot sign.
    const created = await core.iamCreateAccessKey({ signer, endpoint: moto.endpoint, userName: 'erin', vaultHeader });
    await rejects(core.iamListAccessKeys({ signer: created.entry, endpoint: moto.endpoint }), 'no_signer');
  });

  test('pasted text is read by the import formats; MFA is recorded, then IAM needs a session', async () => {
    const text = `[issuer]\naws_access_key_id = ${moto.signer.accessKeyId}\naws_secret_access_key = ${moto.signer.secretAccessKey}\n`;
    const added = await core.signerAddAws({ text, endpoint: moto.endpoint, vaultHeader });
    const serial = `arn:aws:iam::${moto.accountId}:mfa/keysmith-issuer`;
    const marked = core.signerSetMfa(vaultHeader, added.entry.storageKey, added.entry.value, serial);
    assert.equal(marked.storageKey, added.entry.storageKey, 'the signer keeps its id');
    assert.equal(marked.summary.signer.mfaSerial, serial);
    const signer = { storageKey: marked.storageKey, value: marked.value };
    await rejects(core.iamListAccessKeys({ signer, endpoint: moto.endpoint }), 'mfa_required');
    // STS is allowed without a session: GetCallerIdentity, and the exchange itself (its serial
    // defaults to the recorded device).
    assert.equal((await core.stsGetCallerIdentity({ signer, endpoint: moto.endpoint })).account, moto.accountId);
    const session = await core.stsGetSessionToken({ signer, endpoint: moto.endpoint, tokenCode: '123456', vaultHeader });
    assert.match(session.entry.storageKey, /^keysmith\.entry\.[0-9a-f]{32}$/);
    // An MFA session is not a signer by itself…
    await rejects(core.iamListAccessKeys({ signer: session.entry, endpoint: moto.endpoint }), 'no_signer');
    // …and a session without its signer is refused.
    await rejects(core.iamListAccessKeys({ session: session.entry, endpoint: moto.endpoint }), 'invalid_input');
    // Cleared again: IAM works with the long-term key alone.
    const cleared = core.signerSetMfa(vaultHeader, marked.storageKey, marked.value, undefined);
    assert.equal(cleared.summary.signer.mfaSerial, null);
    await core.iamListAccessKeys({ signer: cleared, endpoint: moto.endpoint });
  });
});
