// The console integration's pure parts, in Node: route detection from console URLs, which origins
// count as a console, and which senders the worker lets send each console message (hostile
// origins, look-alike hosts, other schemes and ports, frames, mismatched url/origin).
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
    ].join('\n'),
  );
  const out = path.join(dir, 'bundle.mjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'neutral', logLevel: 'warning' });
  ({ routes, messages, worker } = await import(pathToFileURL(out).href));
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
