// scalewayCreateApiKey's organizationId: recorded in the vault entry (config.yaml's
// default_organization_id), and checked before anything is sent.
// Run: node --test tests/node/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PKG_DIR } from '../support/core.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';

let core;
let fake;
let vaultHeader;
const PASSPHRASE = 'node tests only';

before(async () => {
  core = await import(pathToFileURL(path.join(PKG_DIR, 'keysmith_core.js')).href);
  core.initSync({ module: readFileSync(path.join(PKG_DIR, 'keysmith_core_bg.wasm')) });
  ({ header: vaultHeader } = core.vaultCreate(PASSPHRASE, { mKib: 19456, t: 2, p: 1 }));
  core.vaultLock();
  fake = await startScalewayFake();
});

after(async () => {
  await fake?.stop();
});

const args = (extra) => ({
  credentials: { secretKey: fake.signer.secretKey },
  apiBase: fake.url,
  vaultHeader,
  userId: fake.signer.userId,
  ...extra,
});

test('the Organization given on create is written into the entry and its exports', async () => {
  const created = await core.scalewayCreateApiKey(args({ organizationId: fake.organizationId }));
  core.vaultUnlock(vaultHeader, PASSPHRASE);
  try {
    const [summary] = core.vaultListEntries([[created.entry.storageKey, created.entry.value]]);
    assert.equal(summary.organizationId, fake.organizationId);
    const { text } = core.vaultExport(created.entry.storageKey, created.entry.value, 'scaleway-env');
    assert.ok(text.includes(`export SCW_DEFAULT_ORGANIZATION_ID=${fake.organizationId}\n`), text);
  } finally {
    core.vaultLock();
  }
});

test('without organizationId the entry has none (as before)', async () => {
  const created = await core.scalewayCreateApiKey(args({}));
  core.vaultUnlock(vaultHeader, PASSPHRASE);
  try {
    const [summary] = core.vaultListEntries([[created.entry.storageKey, created.entry.value]]);
    assert.equal(summary.organizationId ?? null, null);
  } finally {
    core.vaultLock();
  }
});

test('an organizationId that is not a UUID is refused before any request', async () => {
  fake.clearAudit();
  await assert.rejects(core.scalewayCreateApiKey(args({ organizationId: 'acme' })), (error) => {
    assert.equal(error.code, 'invalid_input', error.message);
    assert.match(error.message, /organizationId/);
    return true;
  });
  assert.equal(fake.audit().length, 0);
});
