// The AWS exports of the built package (build/pkg) in Node, against moto with SigV4
// verification on: IAM users, policies and access keys (the two-key situation included),
// EC2 key pairs in two regions, and the GetSessionToken exchange. A local fake server checks
// the retry policy and the malformed-answer path, which moto cannot produce.
// Run: node --test tests/node/

import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadCore, signedQuery } from '../support/core.mjs';
import { startMoto, xmlText } from '../support/moto.mjs';

const PRIVATE_KEY_MARKERS = /PRIVATE KEY|SecretAccessKey|secretAccessKey|sessionToken|keyMaterial/;

/** Awaits `promise`, expects a rejection with `.code === code`, and returns the error. */
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

/** Nothing secret-looking in what JS received. */
function assertNoSecret(value) {
  assert.doesNotMatch(JSON.stringify(value), PRIVATE_KEY_MARKERS);
}

let core;
/** A vault for the created secrets (cheapest legal KDF: these tests are about the calls). */
let vaultHeader;
const PASSPHRASE = 'node tests only';
before(async () => {
  core = await loadCore();
  ({ header: vaultHeader } = core.vaultCreate(PASSPHRASE, { mKib: 19456, t: 2, p: 1 }));
  core.vaultLock();
});

describe('AWS exports against moto (signature verification on)', () => {
  let moto;
  let base;

  before(async () => {
    moto = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } });
    base = { credentials: moto.signer, endpoint: moto.endpoint, vaultHeader };
  });

  after(async () => {
    await moto?.stop();
  });

  test('creates a user with a path and tags, once', async () => {
    const user = await core.iamCreateUser({
      ...base,
      userName: 'deploy-bot',
      path: '/ci/',
      tags: [['team', 'platform'], ['made-by', 'keysmith']],
    });
    assert.equal(user.userName, 'deploy-bot');
    assert.equal(user.path, '/ci/');
    assert.equal(user.arn, `arn:aws:iam::${moto.accountId}:user/ci/deploy-bot`);
    assert.ok(user.userId.length > 0 && user.createDate.length > 0);

    const again = await rejects(core.iamCreateUser({ ...base, userName: 'deploy-bot' }), 'provider_error');
    assert.equal(again.providerCode, 'EntityAlreadyExists');
    assert.equal(again.status, 409);
    assert.ok(again.requestId, 'the request id is kept');
    await rejects(core.iamCreateUser({ ...base, userName: 'bad name' }), 'invalid_options');
    await rejects(core.iamCreateUser({ ...base, userName: 'x', tags: [['aws:reserved', 'v']] }), 'invalid_options');
  });

  test('attaches AWS managed templates and a custom policy ARN, and lists them', async () => {
    await core.iamCreateUser({ ...base, userName: 'policy-target' });
    const ec2 = await core.iamAttachUserPolicy({ ...base, userName: 'policy-target', policy: 'ec2-full-access' });
    assert.equal(ec2.policyArn, 'arn:aws:iam::aws:policy/AmazonEC2FullAccess');
    const ro = await core.iamAttachUserPolicy({ ...base, userName: 'policy-target', policy: 'read-only' });
    assert.equal(ro.policyArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess');

    const created = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: {
        Action: 'CreatePolicy',
        PolicyName: 'keysmith-custom',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
        }),
      },
    });
    assert.equal(created.status, 200, created.text);
    const customArn = xmlText(created.text, 'Arn');
    const custom = await core.iamAttachUserPolicy({ ...base, userName: 'policy-target', policy: customArn });
    assert.equal(custom.policyArn, customArn);

    const attached = await core.iamListAttachedUserPolicies({ ...base, userName: 'policy-target' });
    assert.deepEqual(
      attached.map((p) => p.policyArn).sort(),
      [customArn, 'arn:aws:iam::aws:policy/AmazonEC2FullAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'].sort(),
    );
    assert.ok(attached.some((p) => p.policyName === 'ReadOnlyAccess'));

    await rejects(core.iamAttachUserPolicy({ ...base, userName: 'policy-target', policy: 'arn:aws:iam::123:policy/x' }), 'invalid_options');
    const missing = await rejects(
      core.iamAttachUserPolicy({ ...base, userName: 'nobody-here', policy: 'read-only' }),
      'provider_error',
    );
    assert.equal(missing.providerCode, 'NoSuchEntity');
  });

  test('no vault, no key: a create without a vault header is refused before AWS is called', async () => {
    const userName = 'no-vault';
    await core.iamCreateUser({ ...base, userName });
    const { vaultHeader: _omitted, ...withoutVault } = base;
    await rejects(core.iamCreateAccessKey({ ...withoutVault, userName }), 'no_vault');
    await rejects(core.ec2CreateKeyPair({ ...withoutVault, region: 'eu-west-3', keyName: 'no-vault' }), 'no_vault');
    assert.deepEqual(await core.iamListAccessKeys({ ...base, userName }), []);
    assert.deepEqual(await core.ec2DescribeKeyPairs({ ...base, region: 'eu-west-3', keyNames: [] }).then((k) => k.filter((p) => p.keyName === 'no-vault')), []);
  });

  test('a created key is sealed into the vault (while locked), and the vaulted secret is the real one', async () => {
    const userName = 'vaulted';
    await core.iamCreateUser({ ...base, userName });
    const created = await core.iamCreateAccessKey({ ...base, userName, description: 'ci' });
    assertNoSecret(created);
    assert.match(created.entry.storageKey, /^keysmith\.entry\.[0-9a-f]{32}$/);
    assert.equal(core.vaultIsUnlocked(), false);
    core.vaultUnlock(vaultHeader, PASSPHRASE);
    const [listed] = core.vaultListEntries([[created.entry.storageKey, created.entry.value]]);
    assert.deepEqual(
      { kind: listed.kind, id: listed.accessKeyId, user: listed.userName, description: listed.description },
      { kind: 'aws_access_key', id: created.accessKeyId, user: userName, description: 'ci' },
    );
    const { text } = core.vaultExport(created.entry.storageKey, created.entry.value, 'aws-env');
    core.vaultLock();
    // Unlocked and exported, it signs a call that moto (signature checks on) accepts as the new key.
    const secretAccessKey = /AWS_SECRET_ACCESS_KEY='?([^'\n]+)'?/.exec(text)[1];
    const me = await core.stsGetCallerIdentity({
      credentials: { accessKeyId: created.accessKeyId, secretAccessKey },
      endpoint: moto.endpoint,
    });
    assert.equal(me.arn, `arn:aws:iam::${moto.accountId}:user/${userName}`);
  });

  test('the two-key situation: list, decide, LimitExceeded as the same choice, update, delete', async () => {
    const userName = 'two-keys';
    await core.iamCreateUser({ ...base, userName });
    const empty = await core.iamKeySlot({ ...base, userName });
    assert.deepEqual(empty, { canCreate: true, keys: [] });

    const first = await core.iamCreateAccessKey({ ...base, userName });
    const second = await core.iamCreateAccessKey({ ...base, userName });
    assertNoSecret([first, second]);
    assert.equal(first.status, 'Active');


    const keys = await core.iamListAccessKeys({ ...base, userName });
    assert.deepEqual(keys.map((k) => k.accessKeyId).sort(), [first.accessKeyId, second.accessKeyId].sort());
    assert.ok(keys.every((k) => k.userName === userName && k.status === 'Active' && k.createDate));

    const full = await core.iamKeySlot({ ...base, userName });
    assert.equal(full.canCreate, false);
    assert.equal(full.keys.length, 2);
    assert.ok(full.keys.every((k) => k.isSigner === false && k.lastUsedDate === undefined));
    assert.equal(full.suggested.action, 'deactivate');
    assert.ok([first.accessKeyId, second.accessKeyId].includes(full.suggested.accessKeyId));

    const limit = await rejects(core.iamCreateAccessKey({ ...base, userName }), 'provider_error');
    assert.equal(limit.providerCode, 'LimitExceeded');
    assert.match(limit.message, /deactivate or delete one/);
    assert.equal(limit.keySlot.canCreate, false);
    assert.deepEqual(
      limit.keySlot.keys.map((k) => k.accessKeyId).sort(),
      [first.accessKeyId, second.accessKeyId].sort(),
    );

    await core.iamUpdateAccessKey({ ...base, userName, accessKeyId: first.accessKeyId, status: 'Inactive' });
    const afterUpdate = await core.iamListAccessKeys({ ...base, userName });
    assert.equal(afterUpdate.find((k) => k.accessKeyId === first.accessKeyId).status, 'Inactive');
    const suggestion = await core.iamKeySlot({ ...base, userName });
    assert.deepEqual(suggestion.suggested, { accessKeyId: first.accessKeyId, action: 'delete' });

    await core.iamDeleteAccessKey({ ...base, userName, accessKeyId: first.accessKeyId });
    const remaining = await core.iamListAccessKeys({ ...base, userName });
    assert.deepEqual(remaining.map((k) => k.accessKeyId), [second.accessKeyId]);
    assert.equal((await core.iamKeySlot({ ...base, userName })).canCreate, true);

    await rejects(
      core.iamUpdateAccessKey({ ...base, userName, accessKeyId: second.accessKeyId, status: 'Expired' }),
      'invalid_options',
    );
    const gone = await rejects(
      core.iamDeleteAccessKey({ ...base, userName, accessKeyId: first.accessKeyId }),
      'provider_error',
    );
    assert.equal(gone.providerCode, 'NoSuchEntity');
  });

  test("the signer's own key is marked and its last use is known", async () => {
    const slot = await core.iamKeySlot(base);
    const signerKey = slot.keys.find((k) => k.accessKeyId === moto.signer.accessKeyId);
    assert.ok(signerKey, JSON.stringify(slot));
    assert.equal(signerKey.isSigner, true);
    const used = await core.iamGetAccessKeyLastUsed({ ...base, accessKeyId: moto.signer.accessKeyId });
    assert.ok(used.lastUsedDate, JSON.stringify(used));
    assert.equal(used.userName, 'keysmith-issuer');
  });

  test('AccessDenied names the missing permission', async () => {
    // A user allowed to list keys only; its secret is read with the test helper, since the
    // export never hands a created secret to JS.
    await core.iamCreateUser({ ...base, userName: 'lister' });
    const put = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: {
        Action: 'PutUserPolicy',
        UserName: 'lister',
        PolicyName: 'list-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:ListAccessKeys', Resource: '*' }],
        }),
      },
    });
    assert.equal(put.status, 200, put.text);
    const key = await signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'iam',
      credentials: moto.signer,
      params: { Action: 'CreateAccessKey', UserName: 'lister' },
    });
    const lister = {
      credentials: { accessKeyId: xmlText(key.text, 'AccessKeyId'), secretAccessKey: xmlText(key.text, 'SecretAccessKey') },
      endpoint: moto.endpoint,
      vaultHeader,
    };
    assert.equal((await core.iamListAccessKeys(lister)).length, 1);
    const denied = await rejects(core.iamCreateAccessKey({ ...lister, userName: 'lister' }), 'provider_error');
    assert.equal(denied.providerCode, 'AccessDenied');
    assert.equal(denied.missingPermission, 'iam:CreateAccessKey');
    assert.match(denied.message, /lacks the permission iam:CreateAccessKey/);
  });

  test('EC2 key pairs in two regions: create, describe, delete', async () => {
    // A space and a star: encoded in the body as the SDKs do, or moto refuses the signature.
    const NAME = 'ks deploy*';
    const paris = { ...base, region: 'eu-west-3' };
    const virginia = { ...base, region: 'us-east-1' };
    const a = await core.ec2CreateKeyPair({
      ...paris,
      keyName: NAME,
      tags: [['made-by', 'keysmith'], ['note', 'a space: and = signs']],
    });
    assertNoSecret(a);
    core.vaultUnlock(vaultHeader, PASSPHRASE);
    const pem = core.vaultExport(a.entry.storageKey, a.entry.value, 'pem');
    const pub = core.vaultExport(a.entry.storageKey, a.entry.value, 'ssh-public-key');
    core.vaultLock();
    assert.match(pem.text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    // The public half, derived from the vaulted private key, is a valid authorized_keys line.
    assert.match(pub.text, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ /);
    assert.equal(pub.fileName, pem.fileName.replace(/\.pem$/, ".pub"));
    assert.deepEqual(
      { name: a.keyName, type: a.keyType, format: a.keyFormat, region: a.region },
      { name: 'ks deploy*', type: 'ed25519', format: 'pem', region: 'eu-west-3' },
    );
    assert.match(a.keyPairId, /^key-/);
    assert.ok(a.keyFingerprint.length > 0);
    // The same name is free in another region.
    const b = await core.ec2CreateKeyPair({ ...virginia, keyName: NAME, keyType: 'rsa', keyFormat: 'ppk' });
    assertNoSecret(b);
    assert.equal(b.region, 'us-east-1');
    assert.notEqual(b.keyPairId, a.keyPairId);

    const inParis = await core.ec2DescribeKeyPairs(paris);
    assert.deepEqual(inParis.map((k) => [k.keyName, k.keyPairId, k.keyType]), [[NAME, a.keyPairId, 'ed25519']]);
    const inVirginia = await core.ec2DescribeKeyPairs({ ...virginia, keyNames: [NAME] });
    assert.deepEqual(inVirginia.map((k) => [k.keyPairId, k.keyType]), [[b.keyPairId, 'rsa']]);

    const duplicate = await rejects(core.ec2CreateKeyPair({ ...paris, keyName: NAME }), 'provider_error');
    assert.equal(duplicate.providerCode, 'InvalidKeyPair.Duplicate');
    const unknown = await rejects(core.ec2DescribeKeyPairs({ ...paris, keyNames: ['nope'] }), 'provider_error');
    assert.equal(unknown.providerCode, 'InvalidKeyPair.NotFound');

    const deleted = await core.ec2DeleteKeyPair({ ...paris, keyName: NAME });
    assert.equal(deleted.keyPairId, a.keyPairId);
    // By name here too: moto ignores KeyPairId in DeleteKeyPair (the id form is checked in
    // the core's request-builder tests).
    await core.ec2DeleteKeyPair({ ...virginia, keyName: NAME });
    assert.deepEqual(await core.ec2DescribeKeyPairs(paris), []);
    assert.deepEqual(await core.ec2DescribeKeyPairs(virginia), []);

    await rejects(core.ec2CreateKeyPair({ ...base, keyName: 'k' }), 'invalid_region');
    await rejects(core.ec2CreateKeyPair({ ...base, region: 'eu-west-3.evil.example', keyName: 'k' }), 'invalid_region');
    await rejects(core.ec2CreateKeyPair({ ...paris, keyName: 'k', keyType: 'dsa' }), 'invalid_options');
    await rejects(core.ec2DeleteKeyPair({ ...paris }), 'invalid_options');
  });

  test('GetSessionToken with an MFA code reaches moto and returns no secret (sealed with vaultHeader)', async () => {
    const session = await core.stsGetSessionToken({
      ...base,
      serialNumber: `arn:aws:iam::${moto.accountId}:mfa/keysmith-issuer`,
      tokenCode: '123456',
      durationSeconds: 3600,
    });
    assertNoSecret(session);
    // With the vault header, the session's secret and token are sealed into `entry`.
    assert.deepEqual(Object.keys(session).sort(), ['accessKeyId', 'entry', 'expiration']);
    assert.match(session.entry.storageKey, /^keysmith\.entry\.[0-9a-f]{32}$/);
    assert.match(session.accessKeyId, /^[A-Z0-9]{16,}$/);
    assert.ok(!Number.isNaN(Date.parse(session.expiration)), session.expiration);

    const { vaultHeader: _header, ...unsealed } = base;
    const plain = await core.stsGetSessionToken(unsealed);
    assertNoSecret(plain);
    assert.deepEqual(Object.keys(plain).sort(), ['accessKeyId', 'expiration']);
    await rejects(core.stsGetSessionToken({ ...base, serialNumber: 'arn:aws:iam::123456789012:mfa/x', tokenCode: '12345' }), 'invalid_options');
    await rejects(core.stsGetSessionToken({ ...base, tokenCode: '123456' }), 'invalid_options');
    await rejects(core.stsGetSessionToken({ ...base, serialNumber: 'arn:aws:iam::123:user/x', tokenCode: '123456' }), 'invalid_options');
  });

  test('a wrong secret is refused by moto with a typed error', async () => {
    const wrong = { ...base, credentials: { ...moto.signer, secretAccessKey: `${moto.signer.secretAccessKey}x` } };
    const error = await rejects(core.iamListAccessKeys(wrong), 'provider_error');
    assert.equal(error.providerCode, 'SignatureDoesNotMatch');
    assert.equal(error.status, 403);
  });
});

describe('retries and malformed answers (local fake server)', () => {
  let server;
  let endpoint;
  /** @type {{body: string, status: number}[]} */
  let script = [];
  /** @type {{amzDate: string | undefined, body: string}[]} */
  let received = [];
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const THROTTLED = '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>t-1</RequestId></ErrorResponse>';
  const UNAVAILABLE = '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error><RequestId>u-1</RequestId></ErrorResponse>';
  const LIST = '<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>bob</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status><CreateDate>2026-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>';

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ amzDate: req.headers['x-amz-date'], body });
        const next = script.shift() ?? { status: 500, body: 'script exhausted' };
        res.writeHead(next.status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'header-id' });
        res.end(next.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => {
    server?.close();
  });

  function play(...steps) {
    script = steps;
    received = [];
  }

  test('throttling is retried with backoff, each attempt freshly signed', async () => {
    play({ status: 400, body: THROTTLED }, { status: 400, body: THROTTLED }, { status: 200, body: LIST });
    const started = Date.now();
    const keys = await core.iamListAccessKeys({ credentials, endpoint, userName: 'bob' });
    assert.equal(keys.length, 1);
    assert.equal(received.length, 3);
    assert.ok(received.every((r) => r.amzDate && r.body.includes('Action=ListAccessKeys')));
    // Two waits of at least 250 and 500 ms (equal jitter).
    assert.ok(Date.now() - started >= 700, `${Date.now() - started} ms`);
  });

  test('after three retries the throttling error is reported', async () => {
    play(...Array.from({ length: 5 }, () => ({ status: 400, body: THROTTLED })));
    const error = await rejects(core.iamListAccessKeys({ credentials, endpoint }), 'provider_error');
    assert.equal(error.providerCode, 'Throttling');
    assert.equal(error.requestId, 't-1');
    assert.equal(received.length, 4);
  });

  test('503 is retried for idempotent calls only', async () => {
    play({ status: 503, body: UNAVAILABLE }, { status: 200, body: LIST });
    assert.equal((await core.iamListAccessKeys({ credentials, endpoint })).length, 1);
    assert.equal(received.length, 2);

    play({ status: 503, body: UNAVAILABLE }, { status: 200, body: 'never sent' });
    const error = await rejects(core.iamCreateAccessKey({ credentials, endpoint, userName: 'bob', vaultHeader }), 'provider_error');
    assert.equal(error.providerCode, 'ServiceUnavailable');
    assert.equal(received.length, 1, 'a create is not repeated after a 503');
  });

  test('HTML and truncated answers are malformed_response, never a crash', async () => {
    play({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const html = await rejects(core.iamListAccessKeys({ credentials, endpoint }), 'malformed_response');
    assert.equal(html.status, 502);
    play({ status: 200, body: LIST.slice(0, LIST.indexOf('</member>')) });
    await rejects(core.iamListAccessKeys({ credentials, endpoint }), 'malformed_response');
    // The core is still usable afterwards.
    play({ status: 200, body: LIST });
    assert.equal((await core.iamListAccessKeys({ credentials, endpoint })).length, 1);
  });
});
