// The core's Scaleway calls, from the built package (build/pkg) in Node 20, against the strict
// Scaleway fake: the core builds, authorises, fetches (Node's global fetch) and parses.
// Run: node --test tests/node/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { PKG_DIR } from '../support/core.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCESS_KEY = /^SCW[A-Z0-9]{17}$/;
const HOUR_MS = 3_600_000;

/** The package, and the wasm instance's exports (for its linear memory). */
async function loadCore() {
  const core = await import(pathToFileURL(path.join(PKG_DIR, 'keysmith_core.js')).href);
  const wasm = core.initSync({ module: readFileSync(path.join(PKG_DIR, 'keysmith_core_bg.wasm')) });
  return { core, memory: wasm.memory };
}

/** Awaits `promise`, expects a rejection with an Error of `code` (and `providerCode`). */
async function rejects(promise, code, providerCode) {
  let thrown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Error, `expected a rejection with ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `unexpected .code for: ${thrown.message}`);
  if (providerCode !== undefined) {
    assert.equal(thrown.providerCode, providerCode, `unexpected .providerCode for: ${thrown.message}`);
  }
  return thrown;
}

/** Whether `needle` occurs in linear memory as bytes. */
function inMemory(memory, needle) {
  return Buffer.from(memory.buffer).includes(Buffer.from(needle, 'utf8'));
}

describe('Scaleway calls through the core, against the strict fake', { timeout: 120_000 }, () => {
  let core;
  let memory;
  let fake;
  /** Signer secrets this suite deliberately sent as X-Auth-Token (the only place allowed). */
  const tokensSent = new Set();
  /** The keys created with a Secret Manager push: their secret may travel in `data` only. */
  const pushed = new Set();

  const as = (credentials, extra = {}) => {
    tokensSent.add(credentials.secretKey);
    return { credentials: { secretKey: credentials.secretKey }, apiBase: fake.url, vaultHeader, ...extra };
  };
  const signer = (extra) => as(fake.signer, extra);
  const keysOf = (bearerId) => core.scalewayListApiKeys(signer({ bearerType: 'application', bearerId, pageSize: 100 }));

  let vaultHeader;
  const PASSPHRASE = 'node tests only';

  before(async () => {
    ({ core, memory } = await loadCore());
    ({ header: vaultHeader } = core.vaultCreate(PASSPHRASE, { mKib: 19456, t: 2, p: 1 }));
    core.vaultLock();
    fake = await startScalewayFake();
  });

  after(async () => {
    await fake?.stop();
  });

  test('looks up the signer: bearer, Organization and default Project', async () => {
    const me = await core.scalewayGetApiKey(signer({ accessKey: fake.signer.accessKey }));
    assert.equal(me.accessKey, fake.signer.accessKey);
    assert.equal(me.bearerType, 'user');
    assert.equal(me.bearerId, fake.signer.userId);
    assert.equal(me.bearerName, 'owner@example.com');
    assert.equal(me.organizationId, fake.organizationId);
    assert.equal(me.defaultProjectId, fake.projects[0].id);
    assert.equal(me.expired, false);
    assert.equal(me.expiresAt, undefined);

    const app = await core.scalewayGetApiKey(as(fake.reader, { accessKey: fake.reader.accessKey }));
    assert.equal(app.bearerType, 'application');
    assert.equal(app.bearerId, fake.reader.applicationId);
    assert.equal(app.bearerName, 'ci-reader');
    assert.equal(app.organizationId, fake.organizationId);
  });

  test("creates a key for the signer's own user; its secret never reaches JavaScript", async () => {
    const created = await core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, description: 'laptop' }));
    assert.match(created.accessKey, ACCESS_KEY);
    assert.equal(created.bearerType, 'user');
    assert.equal(created.bearerId, fake.signer.userId);
    assert.equal(created.description, 'laptop');
    assert.equal(created.secretManager, undefined);
    const stored = fake.apiKey(created.accessKey);
    assert.match(stored.secret_key, UUID);
    assert.ok(!JSON.stringify(created).includes(stored.secret_key));
    // ...it went into the vault instead, and it is the real one.
    core.vaultUnlock(vaultHeader, PASSPHRASE);
    const { text } = core.vaultExport(created.entry.storageKey, created.entry.value, 'scaleway-env');
    core.vaultLock();
    assert.ok(text.includes(stored.secret_key), 'the vaulted secret is the one Scaleway issued');
    assert.ok(text.includes(created.accessKey));
    assert.ok(!('secretKey' in created) && !('secret_key' in created));
    // Nor is any copy of it, or of the signer's secret, left in the core's memory (the scan
    // does see the memory: a string of the core's data section is found).
    assert.ok(inMemory(memory, 'denied_authentication'), 'the scan does not see linear memory');
    assert.ok(!inMemory(memory, stored.secret_key), 'the new secret key is still in linear memory');
    assert.ok(!inMemory(memory, fake.signer.secretKey), "the signer's secret key is still in linear memory");
  });

  test('creates a key for an existing application', async () => {
    const { applications } = await core.scalewayListApplications(signer({ organizationId: fake.organizationId }));
    const app = applications.find((a) => a.name === 'ci-deployer');
    assert.ok(app, JSON.stringify(applications));
    const created = await core.scalewayCreateApiKey(signer({ applicationId: app.id, description: 'deploy' }));
    assert.equal(created.bearerType, 'application');
    assert.equal(fake.apiKey(created.accessKey).application_id, app.id);
  });

  test('creates an application on the spot, then a key for it', async () => {
    const app = await core.scalewayCreateApplication(
      signer({ organizationId: fake.organizationId, name: 'nightly-backup', description: 'created by Keysmith' }),
    );
    assert.match(app.id, UUID);
    assert.equal(app.name, 'nightly-backup');
    assert.equal(app.nbApiKeys, 0);
    const created = await core.scalewayCreateApiKey(signer({ applicationId: app.id }));
    assert.equal(created.bearerId, app.id);
    const { applications } = await core.scalewayListApplications(signer({ organizationId: fake.organizationId, name: 'nightly' }));
    assert.deepEqual(applications.map((a) => [a.name, a.nbApiKeys]), [['nightly-backup', 1]]);
  });

  test('expiry: a future date is kept, a past one is refused before anything is sent', async () => {
    const expiresAt = new Date(Date.now() + 30 * 24 * HOUR_MS).toISOString();
    const created = await core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, expiresAt }));
    assert.equal(Date.parse(created.expiresAt), Date.parse(expiresAt));
    assert.equal(created.expired, false);

    const sent = fake.audit().length;
    const err = await rejects(
      core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, expiresAt: new Date(Date.now() - HOUR_MS).toISOString() })),
      'invalid_input',
    );
    assert.match(err.message, /in the past/);
    await rejects(core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, expiresAt: 'next week' })), 'invalid_input');
    assert.equal(fake.audit().length, sent, 'a refused argument must not reach the API');
  });

  test("the Organization's maximum key lifetime comes back as invalid_arguments on expires_at", async () => {
    const strict = await startScalewayFake({ maxApiKeyExpirationMs: 24 * HOUR_MS });
    try {
      const err = await rejects(
        core.scalewayCreateApiKey({
          credentials: { secretKey: strict.signer.secretKey },
          apiBase: strict.url,
          vaultHeader,
          userId: strict.signer.userId,
          expiresAt: new Date(Date.now() + 48 * HOUR_MS).toISOString(),
        }),
        'provider_error',
        'invalid_arguments',
      );
      assert.equal(err.status, 400);
      assert.deepEqual(err.arguments, ['expires_at']);
      assert.match(err.message, /maximum API key lifetime/);
    } finally {
      await strict.stop();
    }
  });

  test("with the Organization given, its maximum is checked before the create (security settings)", async () => {
    const strict = await startScalewayFake({ maxApiKeyExpirationMs: 24 * HOUR_MS });
    try {
      const args = (extra) => ({
        credentials: { secretKey: strict.signer.secretKey },
        apiBase: strict.url,
        vaultHeader,
        userId: strict.signer.userId,
        organizationId: strict.organizationId,
        ...extra,
      });
      for (const expiresAt of [new Date(Date.now() + 48 * HOUR_MS).toISOString(), undefined]) {
        const err = await rejects(
          core.scalewayCreateApiKey(args(expiresAt === undefined ? {} : { expiresAt })),
          'expiry_beyond_maximum',
        );
        assert.match(err.message, /at most 1 day/);
        assert.deepEqual(err.arguments, ['expires_at']);
      }
      const paths = strict.audit().map((entry) => `${entry.method} ${entry.path}`);
      assert.deepEqual(paths, Array(2).fill(`GET /iam/v1alpha1/organizations/${strict.organizationId}/security-settings`));
      // Within the maximum, the key is created.
      const created = await core.scalewayCreateApiKey(args({ expiresAt: new Date(Date.now() + 2 * HOUR_MS).toISOString() }));
      assert.notEqual(strict.apiKey(created.accessKey), undefined);
      // A signer that may not read the settings (no IAM policy) goes straight to the create.
      strict.clearAudit();
      await rejects(
        core.scalewayCreateApiKey({ ...args({}), credentials: { secretKey: strict.member.secretKey }, userId: strict.member.userId }),
        'provider_error',
        'invalid_arguments',
      );
      assert.deepEqual(
        strict.audit().map((entry) => `${entry.status} ${entry.method} ${entry.path}`),
        [`403 GET /iam/v1alpha1/organizations/${strict.organizationId}/security-settings`, '400 POST /iam/v1alpha1/api-keys'],
      );
    } finally {
      await strict.stop();
    }
  });

  test('default Project: chosen from the list, stored on the key; an unknown one is not_found', async () => {
    const { projects, totalCount } = await core.scalewayListProjects(signer({ organizationId: fake.organizationId }));
    assert.equal(totalCount, 2);
    const production = projects.find((p) => p.name === 'production');
    const created = await core.scalewayCreateApiKey(
      signer({ userId: fake.signer.userId, defaultProjectId: production.id }),
    );
    assert.equal(created.defaultProjectId, production.id);
    assert.equal(fake.apiKey(created.accessKey).default_project_id, production.id);

    const missing = '00000000-0000-4000-8000-000000000000';
    const err = await rejects(
      core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, defaultProjectId: missing })),
      'provider_error',
      'not_found',
    );
    assert.equal(err.status, 404);
    assert.match(err.message, new RegExp(`no project ${missing}`));
  });

  test("lists a bearer's keys page by page", async () => {
    const app = await core.scalewayCreateApplication(signer({ organizationId: fake.organizationId, name: 'paged' }));
    const made = [];
    for (let i = 0; i < 3; i += 1) {
      made.push((await core.scalewayCreateApiKey(signer({ applicationId: app.id, description: `k${i}` }))).accessKey);
    }
    const first = await core.scalewayListApiKeys(signer({ bearerType: 'application', bearerId: app.id, page: 1, pageSize: 2 }));
    const second = await core.scalewayListApiKeys(signer({ bearerType: 'application', bearerId: app.id, page: 2, pageSize: 2 }));
    assert.equal(first.totalCount, 3);
    assert.equal(first.apiKeys.length, 2);
    assert.equal(second.apiKeys.length, 1);
    assert.deepEqual([...first.apiKeys, ...second.apiKeys].map((k) => k.accessKey).sort(), made.sort());
    for (const key of first.apiKeys) {
      assert.ok(!('secretKey' in key));
      assert.equal(key.bearerId, app.id);
    }
    await rejects(core.scalewayListApiKeys(signer({ pageSize: 101 })), 'invalid_input');
    await rejects(core.scalewayListApiKeys(signer({ bearerId: app.id })), 'invalid_input');
  });

  test('deletes a key; looking it up afterwards is not_found', async () => {
    const { accessKey } = await core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, description: 'short-lived' }));
    assert.equal(await core.scalewayDeleteApiKey(signer({ accessKey })), null);
    assert.equal(fake.apiKey(accessKey), undefined);
    const err = await rejects(core.scalewayGetApiKey(signer({ accessKey })), 'provider_error', 'not_found');
    assert.equal(err.status, 404);
    await rejects(core.scalewayDeleteApiKey(signer({ accessKey })), 'provider_error', 'not_found');
    await rejects(core.scalewayDeleteApiKey(signer({ accessKey: '../users' })), 'invalid_input');
  });

  test('pushes a created key to Secret Manager: base64 data with its CRC-32', async () => {
    const created = await core.scalewayCreateApiKey(
      signer({
        applicationId: fake.deployApp.id,
        secretManager: { region: 'fr-par', projectId: fake.projects[1].id, name: 'ci-deployer-key', path: '/keysmith', tags: ['keysmith'] },
      }),
    );
    pushed.add(created.accessKey);
    assert.equal(created.secretManager.region, 'fr-par');
    assert.equal(created.secretManager.secretName, 'ci-deployer-key');
    assert.equal(created.secretManager.path, '/keysmith');
    assert.equal(created.secretManager.revision, 1);
    const secret = fake.secrets().find((s) => s.id === created.secretManager.secretId);
    assert.equal(secret.type, 'key_value');
    assert.equal(secret.project_id, fake.projects[1].id);
    assert.equal(secret.versions.length, 1);
    const [version] = secret.versions;
    assert.equal(version.dataCrc32, crc32(version.data));
    assert.deepEqual(JSON.parse(version.data.toString('utf8')), {
      access_key: created.accessKey,
      secret_key: fake.apiKey(created.accessKey).secret_key,
    });
    assert.ok(!inMemory(memory, fake.apiKey(created.accessKey).secret_key), 'the pushed secret is still in linear memory');
  });

  test('a Secret Manager name conflict is reported before any key is created', async () => {
    const before = (await keysOf(fake.deployApp.id)).totalCount;
    const err = await rejects(
      core.scalewayCreateApiKey(
        signer({ applicationId: fake.deployApp.id, secretManager: { region: 'fr-par', projectId: fake.projects[1].id, name: 'ci-deployer-key', path: '/keysmith' } }),
      ),
      'provider_error',
      'already_exists',
    );
    assert.equal(err.status, 409);
    assert.match(err.message, /choose another name/);
    assert.equal((await keysOf(fake.deployApp.id)).totalCount, before);
  });

  test('a failed version upload deletes the new key and the empty secret again', async () => {
    const before = (await keysOf(fake.deployApp.id)).totalCount;
    fake.failNext({ method: 'POST', path: /\/versions$/, status: 500, body: '{"message":"internal error"}' });
    const err = await rejects(
      core.scalewayCreateApiKey(
        signer({ applicationId: fake.deployApp.id, secretManager: { region: 'nl-ams', projectId: fake.projects[0].id, name: 'half-done' } }),
      ),
      'provider_error',
    );
    assert.equal(err.status, 500);
    assert.match(err.message, /internal error/);
    assert.match(err.message, /deleted what it had created \(API key SCW[A-Z0-9]{17}, secret half-done/);
    assert.equal((await keysOf(fake.deployApp.id)).totalCount, before);
    assert.ok(!fake.secrets().some((s) => s.name === 'half-done'));
  });

  describe('every error path', () => {
    test('a wrong, malformed or expired signer secret', async () => {
      const unknown = { secretKey: '00000000-1111-4222-8333-444444444444' };
      let err = await rejects(core.scalewayGetApiKey(as(unknown, { accessKey: fake.signer.accessKey })), 'provider_error', 'denied_authentication');
      assert.equal(err.status, 401);
      assert.match(err.message, /no API key has this secret key/);
      err = await rejects(core.scalewayGetApiKey(as(fake.expired, { accessKey: fake.expired.accessKey })), 'provider_error', 'denied_authentication');
      assert.match(err.message, /expired/);
      const sent = fake.audit().length;
      await rejects(core.scalewayGetApiKey({ credentials: { secretKey: 'not-a-uuid' }, apiBase: fake.url, accessKey: fake.signer.accessKey }), 'invalid_credentials');
      assert.equal(fake.audit().length, sent, 'a malformed secret key must not be sent');
    });

    test('permissions_denied names the permission set to grant', async () => {
      let err = await rejects(core.scalewayCreateApiKey(as(fake.member, { applicationId: fake.deployApp.id })), 'provider_error', 'permissions_denied');
      assert.equal(err.status, 403);
      assert.match(err.message, /IAMManager/);
      err = await rejects(core.scalewayCreateApiKey(as(fake.member, { userId: fake.signer.userId })), 'provider_error', 'permissions_denied');
      err = await rejects(core.scalewayListProjects(as(fake.member, { organizationId: fake.organizationId })), 'provider_error', 'permissions_denied');
      assert.match(err.message, /ProjectManager/);
      err = await rejects(
        core.scalewayCreateApiKey(as(fake.member, { userId: fake.member.userId, secretManager: { region: 'fr-par', projectId: fake.projects[0].id, name: 'm' } })),
        'provider_error',
        'permissions_denied',
      );
      assert.match(err.message, /SecretManagerFullAccess/);
      // Its own keys stay within reach.
      const own = await core.scalewayCreateApiKey(as(fake.member, { userId: fake.member.userId }));
      assert.equal(own.bearerId, fake.member.userId);
    });

    test('quotas_exceeded says what to delete', async () => {
      const app = await core.scalewayCreateApplication(signer({ organizationId: fake.organizationId, name: 'quota' }));
      await core.scalewayCreateApiKey(signer({ applicationId: app.id }));
      fake.setApiKeyQuota(1);
      try {
        const err = await rejects(core.scalewayCreateApiKey(signer({ applicationId: app.id })), 'provider_error', 'quotas_exceeded');
        assert.equal(err.status, 403);
        assert.match(err.message, /api_keys_per_bearer 1\/1/);
        assert.match(err.message, /delete unused API keys/);
      } finally {
        fake.setApiKeyQuota(10);
      }
    });

    test('not_found for a missing application or key', async () => {
      const missing = '00000000-0000-4000-8000-00000000abcd';
      const err = await rejects(core.scalewayCreateApiKey(signer({ applicationId: missing })), 'provider_error', 'not_found');
      assert.match(err.message, new RegExp(`no application ${missing}`));
      await rejects(core.scalewayGetApiKey(signer({ accessKey: 'SCWAAAAAAAAAAAAAAAAA' })), 'provider_error', 'not_found');
    });

    test('answers that are not what the reference promises are malformed_response', async () => {
      fake.failNext({ method: 'GET', path: /^\/account\/v3\/projects$/, status: 200, body: 'not json' });
      await rejects(core.scalewayListProjects(signer({ organizationId: fake.organizationId })), 'malformed_response');
      fake.failNext({ method: 'GET', path: /^\/account\/v3\/projects$/, status: 502, body: '<html>Bad gateway</html>' });
      const err = await rejects(core.scalewayListProjects(signer({ organizationId: fake.organizationId })), 'malformed_response');
      assert.equal(err.status, 502);
      fake.failNext({ method: 'GET', path: /^\/iam\/v1alpha1\/api-keys\//, status: 200, body: '{"access_key":"SCWAAAAAAAAAAAAAAAAA"}' });
      await rejects(core.scalewayGetApiKey(signer({ accessKey: fake.signer.accessKey })), 'malformed_response');
    });

    test('no answer is a network error; a bad API base is refused before sending', async () => {
      const closed = http.createServer();
      closed.listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const { port } = closed.address();
      closed.close();
      await once(closed, 'close');
      await rejects(
        core.scalewayListProjects({ credentials: { secretKey: fake.signer.secretKey }, apiBase: `http://127.0.0.1:${port}`, organizationId: fake.organizationId }),
        'network',
      );
      await rejects(core.scalewayListProjects(signer({ apiBase: 'ftp://127.0.0.1', organizationId: fake.organizationId })), 'invalid_options');
    });

    test('arguments the reference forbids are refused locally', async () => {
      const sent = fake.audit().length;
      await rejects(core.scalewayCreateApiKey(signer({})), 'invalid_input');
      await rejects(core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, applicationId: fake.deployApp.id })), 'invalid_input');
      const err = await rejects(core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, description: 'd'.repeat(201) })), 'invalid_input');
      assert.match(err.message, /201 characters/);
      await rejects(core.scalewayCreateApiKey(signer({ userId: 'me' })), 'invalid_input');
      await rejects(
        core.scalewayCreateApiKey(signer({ userId: fake.signer.userId, secretManager: { region: 'eu-west-1', projectId: fake.projects[0].id, name: 'x' } })),
        'invalid_input',
      );
      await rejects(core.scalewayCreateApplication(signer({ organizationId: fake.organizationId, name: 'n'.repeat(65) })), 'invalid_input');
      await rejects(core.scalewayCreateApiKey({ apiBase: fake.url, userId: fake.signer.userId }), 'invalid_input');
      await rejects(core.scalewayCreateApiKey({ ...signer({ userId: fake.signer.userId }), vaultHeader: undefined }), 'no_vault');
      assert.equal(fake.audit().length, sent);
    });
  });

  // Last: reads everything this suite sent.
  test('audit: no secret key went anywhere but the signer\'s own, in X-Auth-Token', () => {
    const entries = fake.audit();
    assert.equal(fake.auditDropped(), 0);
    assert.ok(entries.length > 40, `only ${entries.length} requests audited`);
    const secretsIssued = () => fake.allSecretKeys();
    const secrets = secretsIssued();
    const forms = (s) => [s, Buffer.from(s).toString('base64'), encodeURIComponent(s), s.replaceAll('-', '')];
    let pushedSeen = 0;
    for (const entry of entries) {
      const where = `${entry.method} ${entry.path}`;
      const token = entry.headers['x-auth-token'];
      assert.ok(typeof token === 'string' && tokensSent.has(token), `${where}: X-Auth-Token is not a signer's secret`);
      let body = entry.body;
      if (/\/versions$/.test(entry.path) && entry.method === 'POST') {
        // The one place a created key's secret may go: the base64 `data` of a pushed version.
        const parsed = JSON.parse(body);
        const payload = JSON.parse(Buffer.from(parsed.data, 'base64').toString('utf8'));
        if (entry.status === 200) {
          assert.ok(pushed.has(payload.access_key), `${where}: pushed a key that was not meant to be pushed`);
          assert.equal(payload.secret_key, fake.apiKey(payload.access_key).secret_key);
        } else {
          // The failed upload's key was deleted again; its secret was still the real one.
          assert.ok(secretsIssued().includes(payload.secret_key));
        }
        pushedSeen += 1;
        delete parsed.data;
        body = JSON.stringify(parsed);
      }
      const headers = Object.entries(entry.headers)
        .filter(([name]) => name !== 'x-auth-token')
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n');
      const everywhere = [entry.path, entry.query, body, headers].join('\n');
      for (const secret of secrets) {
        for (const form of forms(secret)) {
          assert.ok(!everywhere.includes(form), `${where}: a secret key appears in the request`);
        }
      }
    }
    assert.equal(pushedSeen, 2, 'one successful push and one failed upload');
  });
});

describe('the Scaleway fake is strict', { timeout: 60_000 }, () => {
  let fake;
  const call = (method, path, { token = fake.signer.secretKey, body, type = 'application/json' } = {}) =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: { ...(token === null ? {} : { 'x-auth-token': token }), ...(body === undefined ? {} : { 'content-type': type }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    }).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : await r.json() }));
  const badArgument = (answer, name, reason) => {
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.type, 'invalid_arguments');
    assert.ok(
      answer.body.details.some((d) => d.argument_name === name && (reason === undefined || d.reason === reason)),
      JSON.stringify(answer.body),
    );
  };

  before(async () => {
    fake = await startScalewayFake();
  });

  after(async () => {
    await fake?.stop();
  });

  test('no or unknown X-Auth-Token: 401 denied_authentication in Scaleway\'s shape', async () => {
    const none = await call('GET', '/iam/v1alpha1/api-keys', { token: null });
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { message: 'authentication is denied', method: 'api_key', reason: 'invalid_argument', type: 'denied_authentication' });
    const unknown = await call('GET', '/iam/v1alpha1/api-keys', { token: '00000000-1111-4222-8333-444444444444' });
    assert.equal(unknown.body.reason, 'not_found');
    const expired = await call('GET', '/iam/v1alpha1/api-keys', { token: fake.expired.secretKey });
    assert.equal(expired.body.reason, 'expired');
  });

  test('create: exactly one bearer, UUIDs, description length, expiry in the future, no unknown field', async () => {
    const user = fake.signer.userId;
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: {} }), 'user_id', 'constraint');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, application_id: fake.deployApp.id } }), 'application_id');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: 'me' } }), 'user_id', 'format');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, description: 'x'.repeat(201) } }), 'description', 'constraint');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, expires_at: '2020-01-01T00:00:00Z' } }), 'expires_at', 'constraint');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, expires_at: 'tomorrow' } }), 'expires_at', 'format');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, default_project_id: 'p' } }), 'default_project_id', 'format');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user, colour: 'blue' } }), 'colour', 'unknown');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: 42 } }), 'user_id', 'format');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: '{"user_id":', type: 'application/json' }), 'body');
    badArgument(await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: user }, type: 'text/plain' }), 'body');
    const other = await call('POST', '/iam/v1alpha1/api-keys', { token: fake.member.secretKey, body: { user_id: user } });
    assert.equal(other.status, 403);
    assert.equal(other.body.type, 'permissions_denied');
  });

  test('keys have Scaleway\'s formats; secret_key is shown on create only; the new key works', async () => {
    const created = await call('POST', '/iam/v1alpha1/api-keys', { body: { user_id: fake.signer.userId, description: 'fmt' } });
    assert.equal(created.status, 200);
    assert.match(created.body.access_key, ACCESS_KEY);
    assert.match(created.body.secret_key, UUID);
    const got = await call('GET', `/iam/v1alpha1/api-keys/${created.body.access_key}`);
    assert.equal(got.status, 200);
    assert.ok(!('secret_key' in got.body));
    const listed = await call('GET', '/iam/v1alpha1/api-keys?page_size=100');
    assert.ok(listed.body.api_keys.every((k) => !('secret_key' in k)));
    const self = await call('GET', `/iam/v1alpha1/api-keys/${created.body.access_key}`, { token: created.body.secret_key });
    assert.equal(self.status, 200);
  });

  test('lists: known query parameters only, page and page_size bounds, required organization_id', async () => {
    badArgument(await call('GET', '/iam/v1alpha1/api-keys?colour=blue'), 'colour', 'unknown');
    badArgument(await call('GET', '/iam/v1alpha1/api-keys?page_size=101'), 'page_size');
    badArgument(await call('GET', '/iam/v1alpha1/api-keys?page=0'), 'page');
    badArgument(await call('GET', '/iam/v1alpha1/api-keys?bearer_id=x'), 'bearer_id', 'format');
    badArgument(await call('DELETE', `/iam/v1alpha1/api-keys/${fake.member.accessKey}?force=true`), 'force', 'unknown');
    badArgument(await call('GET', '/iam/v1alpha1/applications'), 'organization_id', 'required');
    badArgument(await call('GET', '/account/v3/projects'), 'organization_id', 'required');
    const projects = await call('GET', `/account/v3/projects?organization_id=${fake.organizationId}`);
    assert.equal(projects.body.total_count, 2);
  });

  test('applications: name 1-64 characters, description at most 200', async () => {
    badArgument(await call('POST', '/iam/v1alpha1/applications', { body: { organization_id: fake.organizationId } }), 'name', 'required');
    badArgument(await call('POST', '/iam/v1alpha1/applications', { body: { name: 'n'.repeat(65) } }), 'name', 'constraint');
    badArgument(await call('POST', '/iam/v1alpha1/applications', { body: { name: 'a', description: 'd'.repeat(201) } }), 'description');
  });

  test('Secret Manager: regions, base64 data, matching CRC-32, flat key_value JSON, unique names', async () => {
    const secrets = '/secret-manager/v1beta1/regions/fr-par/secrets';
    badArgument(await call('POST', '/secret-manager/v1beta1/regions/us-east-1/secrets', { body: { name: 'x', project_id: fake.projects[0].id } }), 'region');
    const made = await call('POST', secrets, { body: { name: 'kv', project_id: fake.projects[0].id, type: 'key_value' } });
    assert.equal(made.status, 200);
    const clash = await call('POST', secrets, { body: { name: 'kv', project_id: fake.projects[0].id, type: 'key_value' } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.type, 'already_exists');
    const versions = `${secrets}/${made.body.id}/versions`;
    const data = Buffer.from('{"a":"b"}');
    badArgument(await call('POST', versions, { body: { data: 'not base64!' } }), 'data', 'format');
    badArgument(await call('POST', versions, { body: { data: data.toString('base64'), data_crc32: crc32(data) + 1 } }), 'data_crc32', 'constraint');
    badArgument(await call('POST', versions, { body: { data: Buffer.from('[1]').toString('base64') } }), 'data', 'constraint');
    badArgument(await call('POST', versions, { body: { data: Buffer.from('{"a":{"b":1}}').toString('base64') } }), 'data', 'constraint');
    const ok = await call('POST', versions, { body: { data: data.toString('base64'), data_crc32: crc32(data) } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.revision, 1);
    assert.ok(!('data' in ok.body));
  });

  test('bounded: oversized bodies are refused, unknown routes are not_found', async () => {
    const big = await fetch(`${fake.url}/iam/v1alpha1/api-keys`, {
      method: 'POST',
      headers: { 'x-auth-token': fake.signer.secretKey, 'content-type': 'application/json' },
      body: 'x'.repeat(300 * 1024),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(big.status, 413);
    await big.arrayBuffer();
    const route = await call('GET', '/iam/v1alpha1/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(route.body.type, 'not_found');
  });

  test('the audit log records method, path, query, headers and body', async () => {
    fake.clearAudit();
    await call('POST', '/iam/v1alpha1/api-keys?x=1', { body: { user_id: 'me' } });
    const [entry] = fake.audit();
    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, '/iam/v1alpha1/api-keys');
    assert.equal(entry.query, 'x=1');
    assert.equal(entry.headers['x-auth-token'], fake.signer.secretKey);
    assert.equal(entry.body, '{"user_id":"me"}');
    assert.equal(entry.status, 400);
  });
});
