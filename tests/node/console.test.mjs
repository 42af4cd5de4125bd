// The console integration's pure parts, in Node: route detection from console URLs, which origins
// count as a console, and which senders the worker lets send each console message (hostile
// origins, look-alike hosts, other schemes and ports, frames, mismatched url/origin), and the
// console rate limit's window (console-limit.ts) on an in-memory storage area and a test clock.
// The TypeScript sources are bundled with esbuild (the extension's own bundler) into a temp dir.
// Run: node --test tests/node/console.test.mjs

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { repoRoot } from '../support/moto.mjs';

let dir;
let routes;
let messages;
let worker;
let limit;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keysmith-console-unit-'));
  const src = path.join(repoRoot, 'extension', 'src');
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export * as routes from ${JSON.stringify(path.join(src, 'content', 'console-routes.ts'))};`,
      `export * as messages from ${JSON.stringify(path.join(src, 'shared', 'console-messages.ts'))};`,
      `export * as worker from ${JSON.stringify(path.join(src, 'background', 'console.ts'))};`,
      `export * as limit from ${JSON.stringify(path.join(src, 'background', 'console-limit.ts'))};`,
    ].join('\n'),
  );
  const out = path.join(dir, 'bundle.mjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'neutral', logLevel: 'warning' });
  ({ routes, messages, worker, limit } = await import(pathToFileURL(out).href));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('console routes from the URL', () => {
  test('AWS IAM user pages, the create-access-key wizard, EC2 key pairs', () => {
    const iam = 'https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1';
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users/details/alice?section=security_credentials`), { kind: 'iam-user', userName: 'alice' });
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users/details/a.b%40c`), { kind: 'iam-user', userName: 'a.b@c' });
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users/details/alice/create-access-key`), { kind: 'iam-create-access-key', userName: 'alice' });
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users`), { kind: 'other' });
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users/details/<script>`), { kind: 'other' });
    assert.deepEqual(routes.parseAwsRoute(`${iam}#/users/details/%E0%A4%A`), { kind: 'other' }, 'bad escapes are not a user');
    assert.deepEqual(routes.parseAwsRoute('https://console.aws.amazon.com/s3/home#/users/details/alice'), { kind: 'other' });
    assert.deepEqual(routes.parseAwsRoute('https://eu-west-3.console.aws.amazon.com/ec2/home?region=eu-west-3#KeyPairs:'), {
      kind: 'ec2-key-pairs',
      region: 'eu-west-3',
    });
    assert.deepEqual(routes.parseAwsRoute('https://ap-south-1.console.aws.amazon.com/ec2/home#KeyPairs:'), { kind: 'ec2-key-pairs', region: 'ap-south-1' });
    assert.deepEqual(routes.parseAwsRoute('https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#KeyPairs:'), {
      kind: 'ec2-key-pairs',
      region: 'us-gov-west-1',
    });
    assert.deepEqual(routes.parseAwsRoute('https://console.aws.amazon.com/ec2/home#KeyPairs:'), { kind: 'ec2-key-pairs', region: 'us-east-1' });
    assert.deepEqual(routes.parseAwsRoute('https://console.aws.amazon.com/ec2/home#Instances:'), { kind: 'other' });
  });

  test('Scaleway API keys and application pages', () => {
    const app = '3f1c4bde-9a1b-4c2d-8e3f-0123456789ab';
    assert.deepEqual(routes.parseScalewayRoute('https://console.scaleway.com/iam/api-keys'), { kind: 'api-keys' });
    assert.deepEqual(routes.parseScalewayRoute('https://console.scaleway.com/iam/api-keys/'), { kind: 'api-keys' });
    assert.deepEqual(routes.parseScalewayRoute(`https://console.scaleway.com/iam/applications/${app}/overview`), { kind: 'application', applicationId: app });
    assert.deepEqual(routes.parseScalewayRoute(`https://console.scaleway.com/iam/applications/${app}`), { kind: 'application', applicationId: app });
    assert.deepEqual(routes.parseScalewayRoute('https://console.scaleway.com/iam/applications/not-a-uuid-at-all-not-a-uuid-at-all00'), { kind: 'other' });
    assert.deepEqual(routes.parseScalewayRoute('https://console.scaleway.com/instance/servers'), { kind: 'other' });
  });
});

describe('console origins and senders', () => {
  const ok = {
    aws: ['https://console.aws.amazon.com', 'https://us-east-1.console.aws.amazon.com', 'https://console.amazonaws-us-gov.com', 'https://us-gov-west-1.console.amazonaws-us-gov.com', 'https://console.amazonaws.cn', 'https://cn-north-1.console.amazonaws.cn'],
    scaleway: ['https://console.scaleway.com'],
  };
  const hostile = [
    'https://console.aws.amazon.com.evil.example',
    'https://evilconsole.aws.amazon.com',
    'https://aws.amazon.com',
    'http://console.aws.amazon.com',
    'https://console.aws.amazon.com:8443',
    'https://user@console.aws.amazon.com',
    'https://console.scaleway.com.attacker.net',
    'https://scaleway.com',
    'https://127.0.0.1',
    'chrome-extension://abcdefghijklmnop',
    'null',
    '',
    undefined,
  ];

  test('consoleProviderOf accepts the console hosts and nothing that only looks like them', () => {
    for (const [provider, origins] of Object.entries(ok)) {
      for (const origin of origins) {
        assert.equal(messages.consoleProviderOf(origin), provider, origin);
      }
    }
    for (const origin of hostile) {
      assert.equal(messages.consoleProviderOf(origin), undefined, String(origin));
    }
  });

  const sender = (origin, extra = {}) => ({ id: 'ours', url: `${origin}/iam/home#/users`, origin, tab: { id: 1 }, frameId: 0, ...extra });

  test('consoleSenderMayAsk: a console tab’s top frame, for that console’s messages', () => {
    const aws = 'https://us-east-1.console.aws.amazon.com';
    const scw = 'https://console.scaleway.com';
    assert.equal(worker.consoleSenderMayAsk(sender(aws), 'console.aws.createAccessKey'), true);
    assert.equal(worker.consoleSenderMayAsk(sender(aws), 'console.ec2.createKeyPair'), true);
    assert.equal(worker.consoleSenderMayAsk(sender(aws), 'console.vaultKey'), true);
    assert.equal(worker.consoleSenderMayAsk(sender(scw), 'console.scaleway.createApiKey'), true);
    assert.equal(worker.consoleSenderMayAsk(sender(scw), 'console.openExtension'), true);
    // The other console's messages.
    assert.equal(worker.consoleSenderMayAsk(sender(aws), 'console.scaleway.createApiKey'), false);
    assert.equal(worker.consoleSenderMayAsk(sender(scw), 'console.aws.createAccessKey'), false);
    // Not a console.
    for (const origin of hostile) {
      assert.equal(worker.consoleSenderMayAsk(sender(origin), 'console.vaultKey'), false, String(origin));
    }
    // A frame inside the console, no tab, or a URL and an origin that disagree.
    assert.equal(worker.consoleSenderMayAsk(sender(aws, { frameId: 3 }), 'console.vaultKey'), false);
    assert.equal(worker.consoleSenderMayAsk(sender(aws, { tab: undefined }), 'console.vaultKey'), false);
    assert.equal(worker.consoleSenderMayAsk(sender(aws, { origin: 'https://evil.example' }), 'console.vaultKey'), false);
    assert.equal(worker.consoleSenderMayAsk(sender(aws, { url: 'https://evil.example/' }), 'console.vaultKey'), false);
    assert.equal(worker.consoleSenderMayAsk(sender(aws, { url: undefined }), 'console.vaultKey'), false);
  });

  test('console messages are validated field by field, and errors never echo a secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const parse = (value) => messages.parseConsoleMessage(value.type, value);
    assert.deepEqual(parse({ type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret, userName: 'alice' } }), {
      type: 'console.vaultKey',
      key: { provider: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret, userName: 'alice' },
    });
    assert.deepEqual(parse({ type: 'console.openExtension', userName: 'alice' }), { type: 'console.openExtension', userName: 'alice' });
    const bad = [
      { type: 'console.vaultKey', key: { provider: 'gcp' } },
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: `${secret} ` } },
      { type: 'console.vaultKey', key: { provider: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret, accessKey: 'x' } },
      { type: 'console.vaultKey', key: { provider: 'scaleway', accessKey: 'SCWXXXXXXXXXXXXXXXXX', secretKey: secret } },
      { type: 'console.ec2.createKeyPair', region: 'mars-1' },
      { type: 'console.scaleway.createApiKey', applicationId: 'x' },
      { type: 'console.openExtension', entryId: 'ABC' },
      { type: 'console.openExtension', userName: 'no spaces' },
      { type: 'console.openExtension', userName: 'alice', entryId: 'a'.repeat(32) },
    ];
    for (const value of bad) {
      assert.throws(() => parse(value), (error) => error.code === 'bad_request' && !error.message.includes(secret.slice(0, 12)), JSON.stringify(value));
    }
  });
});

/** A chrome.storage area in memory whose calls settle in a later task, in any order, like IPC. */
function memoryArea() {
  const data = {};
  const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), Math.floor(Math.random() * 3)));
  return {
    data,
    get: (key) => later(key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: (items) => later(Object.assign(data, structuredClone(items))).then(() => undefined),
  };
}

describe('console rate limit (console-limit.ts)', () => {
  const CREATE = 'console.aws.createAccessKey';
  const made = () => Promise.resolve('made');
  const failWith = (code) => () => Promise.reject(Object.assign(new Error(code), { code }));
  const outcomes = (settled) => settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason.code));

  test('messages sent at once: exactly the limit gets through, the rest are refused with when to retry', async () => {
    const area = memoryArea();
    let now = 1_000_000;
    const limiter = limit.createConsoleLimiter(area, () => now);
    const settled = await Promise.allSettled(Array.from({ length: 8 }, () => limiter.limit(CREATE, made)));
    assert.deepEqual(outcomes(settled).sort(), ['console_rate_limited', 'console_rate_limited', 'console_rate_limited', 'made', 'made', 'made', 'made', 'made']);
    const refusal = settled.find((s) => s.status === 'rejected').reason;
    assert.equal(refusal.retryAfterMs, 60_000);
    assert.equal(refusal.message, 'Keysmith paused creates from console pages: 5 in the last minute. Wait 60 s, or use the Keysmith popup');
    // Sliding: 30 s later the same five still count; a minute after them, a slot is free again.
    now += 30_000;
    const later = await limiter.limit(CREATE, made).catch((error) => error);
    assert.equal(later.code, 'console_rate_limited');
    assert.equal(later.retryAfterMs, 30_000);
    now += 29_999;
    assert.equal((await limiter.limit(CREATE, made).catch((error) => error)).retryAfterMs, 1);
    now += 1;
    const next = await Promise.allSettled(Array.from({ length: 6 }, () => limiter.limit(CREATE, made)));
    assert.deepEqual(outcomes(next).sort(), ['console_rate_limited', 'made', 'made', 'made', 'made', 'made']);
  });

  test('the window is in the storage area: a new limiter on it (a restarted worker) keeps it', async () => {
    const area = memoryArea();
    const now = () => 5_000_000;
    const first = limit.createConsoleLimiter(area, now);
    for (let i = 0; i < 5; i += 1) {
      await first.limit('console.ec2.createKeyPair', made);
    }
    assert.equal(area.data['keysmith.consoleLimit'].create.length, 5);
    const restarted = limit.createConsoleLimiter(area, now);
    assert.equal((await restarted.limit('console.scaleway.createApiKey', made).catch((error) => error)).code, 'console_rate_limited');
    // "Vault this key" has its own window (10), and messages that make nothing are not counted.
    const vaults = await Promise.allSettled(Array.from({ length: 11 }, () => restarted.limit('console.vaultKey', made)));
    assert.equal(outcomes(vaults).filter((o) => o === 'made').length, 10);
    const refused = vaults.find((s) => s.status === 'rejected').reason;
    assert.match(refused.message, /^Keysmith paused "Vault this key" from console pages: 10 in the last minute/);
    for (const type of ['console.openExtension', 'aws.createAccessKey', 'scaleway.createApiKey', 'vault.import']) {
      assert.equal(await restarted.limit(type, made), 'made', type);
    }
  });

  test('a refusal that made nothing gives its slot back; a provider refusal keeps it', async () => {
    const area = memoryArea();
    const limiter = limit.createConsoleLimiter(area, () => 9_000_000);
    for (const code of ['vault_locked', 'locked', 'no_signer', 'no_vault', 'mfa_required', 'bad_request', 'core_unavailable']) {
      for (let i = 0; i < 6; i += 1) {
        assert.equal((await limiter.limit(CREATE, failWith(code)).catch((error) => error)).code, code);
      }
    }
    assert.deepEqual(area.data['keysmith.consoleLimit'].create, []);
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await limiter.limit(CREATE, failWith('provider_error')).catch((error) => error)).code, 'provider_error');
    }
    assert.equal((await limiter.limit(CREATE, made).catch((error) => error)).code, 'console_rate_limited');
  });

  test('a clock set back keeps what was counted (for one window at most); garbage in storage is ignored', async () => {
    const area = memoryArea();
    let now = 20_000_000;
    const limiter = limit.createConsoleLimiter(area, () => now);
    for (let i = 0; i < 5; i += 1) {
      await limiter.limit(CREATE, made);
    }
    now -= 10_000;
    const refused = await limiter.limit(CREATE, made).catch((error) => error);
    assert.equal(refused.code, 'console_rate_limited');
    assert.equal(refused.retryAfterMs, 60_000, 'never more than one window');
    now -= 60_000;
    assert.equal(await limiter.limit(CREATE, made), 'made');
    area.data['keysmith.consoleLimit'] = { create: ['x', null, Number.NaN, { a: 1 }], vault: 'nope' };
    assert.equal(await limiter.limit(CREATE, made), 'made');
    assert.equal(await limiter.limit('console.vaultKey', made), 'made');
  });
});
