// (e) Manifest checks on the built extensions: least privilege, and the test-only host permission
// appears in the test build only.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SHIPPED_DIST, TEST_DIST } from '../support/browser.mjs';
import { repoRoot } from '../support/moto.mjs';

const TEST_HOST = 'http://127.0.0.1/*';

function readManifest(dist) {
  const file = path.join(dist, 'manifest.json');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: build both variants first (node extension/build.mjs [--test-build])`);
  }
  return JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
}

/** Every string anywhere in a JSON value. */
function allStrings(value) {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(allStrings);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).flatMap(allStrings);
  }
  return [];
}

describe('built manifests', () => {
  const shipped = readManifest(SHIPPED_DIST);
  const testing = readManifest(TEST_DIST);

  test('neither build asks for <all_urls> or wildcard hosts in required permissions', () => {
    for (const manifest of [shipped, testing]) {
      assert.ok(!allStrings(manifest).includes('<all_urls>'));
      for (const host of manifest.host_permissions) {
        assert.doesNotMatch(host, /^\*:|^https?:\/\/\*\//, `required host permission too broad: ${host}`);
      }
      for (const script of manifest.content_scripts) {
        for (const match of script.matches) {
          assert.match(
            match,
            /^https:\/\/(\*\.)?(console\.aws\.amazon\.com|console\.amazonaws-us-gov\.com|console\.amazonaws\.cn|console\.scaleway\.com)\/\*$/,
            match,
          );
        }
      }
    }
  });

  test('the shipped manifest has no 127.0.0.1 anywhere; the test build adds exactly one host', () => {
    assert.ok(!JSON.stringify(shipped).includes('127.0.0.1'), 'shipped manifest mentions 127.0.0.1');
    const { host_permissions: testHosts, ...testRest } = testing;
    const { host_permissions: shippedHosts, ...shippedRest } = shipped;
    assert.deepEqual(testHosts, [...shippedHosts, TEST_HOST]);
    assert.deepEqual(testRest, shippedRest, 'the test build differs in more than host_permissions');
  });

  test('the shipped manifest matches the source manifest, with the expected permissions and CSP', () => {
    const source = JSON.parse(readFileSync(path.join(repoRoot, 'extension', 'manifest.json'), 'utf8'));
    assert.deepEqual(shipped, source);
    assert.equal(shipped.manifest_version, 3);
    assert.deepEqual(shipped.permissions, ['storage', 'alarms']);
    assert.deepEqual(shipped.optional_host_permissions, ['http://*/*', 'https://*/*']);
    assert.equal(shipped.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    assert.deepEqual(shipped.background, { service_worker: 'background.js', type: 'module' });
    assert.equal(shipped.externally_connectable, undefined);
    assert.equal(shipped.web_accessible_resources, undefined);
  });

  test('EC2 hosts: one exact host per region the popup offers, no wildcard under amazonaws.com', () => {
    const source = readFileSync(path.join(repoRoot, 'extension', 'src', 'shared', 'messages.ts'), 'utf8');
    const block = /export const EC2_REGIONS = \[([\s\S]*?)\] as const;/.exec(source);
    assert.ok(block, 'EC2_REGIONS not found in messages.ts');
    const regions = [...block[1].matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);
    assert.ok(regions.length >= 30 && regions.includes('us-east-1') && regions.includes('eu-west-3'));
    const ec2Hosts = shipped.host_permissions.filter((host) => host.startsWith('https://ec2.'));
    assert.deepEqual(ec2Hosts, regions.map((region) => `https://ec2.${region}.amazonaws.com/*`));
    for (const host of shipped.host_permissions) {
      assert.doesNotMatch(host, /\*\.amazonaws\.com/, `wildcard AWS host: ${host}`);
    }
  });

  test('Secrets Manager hosts: one exact host per EC2 region (SECRETS_MANAGER_REGIONS = EC2_REGIONS)', () => {
    const source = readFileSync(path.join(repoRoot, 'extension', 'src', 'shared', 'messages.ts'), 'utf8');
    assert.match(source, /export const SECRETS_MANAGER_REGIONS = EC2_REGIONS;/);
    const regions = [.../export const EC2_REGIONS = \[([\s\S]*?)\] as const;/.exec(source)[1].matchAll(/'([a-z0-9-]+)'/g)].map(
      (m) => m[1],
    );
    const hosts = shipped.host_permissions.filter((host) => host.startsWith('https://secretsmanager.'));
    assert.deepEqual(hosts, regions.map((region) => `https://secretsmanager.${region}.amazonaws.com/*`));
  });

  test('fault-injection pause points exist only in the test build', () => {
    const traces = /KEYSMITH_TEST|pausePoint|keysmith\.test\.|after-provider|before-request|after-store/;
    for (const file of ['background.js', 'popup.js', 'content/aws-console.js', 'content/scaleway-console.js']) {
      assert.doesNotMatch(readFileSync(path.join(SHIPPED_DIST, file), 'utf8'), traces, `dist/extension/${file}`);
    }
    // The test build has them (so the check above is looking for the right thing).
    assert.match(readFileSync(path.join(TEST_DIST, 'background.js'), 'utf8'), /pausePoint\("after-provider"\)/);
  });

  test('the worker never widens chrome.storage.session beyond trusted contexts', () => {
    // The parked vault key lives there while unlocked; the default access level (extension pages
    // and the worker only) must stay. The e2e suite checks the behaviour from a content script.
    for (const dist of [SHIPPED_DIST, TEST_DIST]) {
      const worker = readFileSync(path.join(dist, 'background.js'), 'utf8');
      assert.doesNotMatch(worker, /session\s*\.\s*setAccessLevel|TRUSTED_AND_UNTRUSTED_CONTEXTS/);
      assert.match(worker, /chrome\.storage\.local\.setAccessLevel\(\{ accessLevel: "TRUSTED_CONTEXTS" \}\)/);
    }
  });

  test('content scripts run exactly on the console hosts the worker accepts console messages from', () => {
    const source = readFileSync(path.join(repoRoot, 'extension', 'src', 'shared', 'console-messages.ts'), 'utf8');
    const block = /export const CONSOLE_HOSTS[^=]*= \{([\s\S]*?)\n\};/.exec(source);
    assert.ok(block, 'CONSOLE_HOSTS not found in console-messages.ts');
    const hostsOf = (provider) => {
      const list = new RegExp(`${provider}: \\[([\\s\\S]*?)\\]`).exec(block[1]);
      assert.ok(list, `no ${provider} hosts`);
      return [...list[1].matchAll(/'([a-z0-9.-]+)'/g)].map((m) => m[1]);
    };
    const expected = (hosts) => hosts.flatMap((host) => [`https://${host}/*`, `https://*.${host}/*`]);
    const byScript = Object.fromEntries(shipped.content_scripts.map((script) => [script.js.join(','), script.matches]));
    assert.deepEqual(byScript['content/aws-console.js'], expected(hostsOf('aws')));
    assert.deepEqual(byScript['content/scaleway-console.js'], expected(hostsOf('scaleway')));
    assert.ok(hostsOf('aws').includes('console.amazonaws-us-gov.com') && hostsOf('aws').includes('console.amazonaws.cn'));
  });

  test('the shipped zip exists and every file the manifest names is in the build', () => {
    assert.ok(existsSync(path.join(repoRoot, 'dist', 'keysmith-extension.zip')));
    const named = [
      shipped.background.service_worker,
      shipped.action.default_popup,
      ...shipped.content_scripts.flatMap((script) => script.js),
      'core/keysmith_core_bg.wasm',
    ];
    for (const dist of [SHIPPED_DIST, TEST_DIST]) {
      for (const file of named) {
        assert.ok(existsSync(path.join(dist, file)), `${dist} lacks ${file}`);
      }
    }
  });
});
