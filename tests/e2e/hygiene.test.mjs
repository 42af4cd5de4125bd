// Extension hygiene (issue #9, item 7): what the built extension may ask for and what it may
// contain. manifest.test.mjs checks the manifest's shape; this file holds the explicit
// allow-lists, scans every built file for code that MV3's CSP would refuse or that loads code
// from elsewhere, checks that the store zip is exactly dist/extension, and checks in a real
// Chromium that the CSP is in force on the extension's pages.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { SHIPPED_DIST, TEST_DIST, launchExtension, openPopup } from '../support/browser.mjs';
import { repoRoot } from '../support/moto.mjs';

// Every permission Keysmith may hold. A new one is a decision: add it here with the reason.
const PERMISSIONS = [
  'storage', // the vault and settings
  'alarms', // auto-lock
];
const EC2_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1',
  'me-central-1', 'mx-central-1', 'sa-east-1',
];
// The provider endpoints the core signs requests for, and nothing else.
const HOST_PERMISSIONS = [
  'https://sts.amazonaws.com/*',
  'https://iam.amazonaws.com/*',
  ...EC2_REGIONS.map((region) => `https://ec2.${region}.amazonaws.com/*`),
  // The optional Secrets Manager push, in the same regions.
  ...EC2_REGIONS.map((region) => `https://secretsmanager.${region}.amazonaws.com/*`),
  'https://api.scaleway.com/*',
];
// Asked for at run time only, when the user sets a custom endpoint (LocalStack, a proxy).
const OPTIONAL_HOST_PERMISSIONS = ['http://*/*', 'https://*/*'];
// The AWS commercial, GovCloud and China consoles, and Scaleway's, each with its subdomains.
const CONTENT_SCRIPT_MATCHES = [
  'https://console.aws.amazon.com/*',
  'https://*.console.aws.amazon.com/*',
  'https://console.amazonaws-us-gov.com/*',
  'https://*.console.amazonaws-us-gov.com/*',
  'https://console.amazonaws.cn/*',
  'https://*.console.amazonaws.cn/*',
  'https://console.scaleway.com/*',
  'https://*.console.scaleway.com/*',
];
const CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";

function manifestOf(dist) {
  return JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
}

/** Every file under dir, as sorted "/"-separated relative paths. */
function listFiles(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? listFiles(dir, relative) : [relative];
    })
    .sort();
}

/** Each text file of a build whose name ends with `ext`, with its content. */
function textFiles(dist, ext) {
  return listFiles(dist)
    .filter((file) => file.endsWith(ext))
    .map((file) => ({ file, text: readFileSync(path.join(dist, file), 'utf8') }));
}

// Code that compiles strings at run time, or loads code that is not in the package.
const FORBIDDEN_JS = [
  [/\beval\s*\(/, 'eval('],
  [/\bnew\s+Function\s*\(/, 'new Function('],
  [/(?<![\w.$])Function\s*\(\s*["'`]/, 'Function("…")'],
  [/\bset(?:Timeout|Interval)\s*\(\s*["'`]/, 'setTimeout/setInterval with a string'],
  [/\bimportScripts\s*\(/, 'importScripts('],
  [/\bimport\s*\(\s*["'`]https?:/, 'import() of a remote URL'],
  [/\bfrom\s*["'`]https?:/, 'static import of a remote URL'],
  [/\.src\s*=\s*["'`]https?:/, 'a remote script or frame src'],
  [/document\.write\s*\(/, 'document.write('],
];

describe('extension hygiene', () => {
  for (const [name, dist] of [['shipped', SHIPPED_DIST], ['test', TEST_DIST]]) {
    describe(`${name} build`, () => {
      const manifest = manifestOf(dist);

      test('permissions, host permissions and content-script matches equal the allow-lists', () => {
        assert.deepEqual(manifest.permissions, PERMISSIONS);
        const testOnly = name === 'test' ? ['http://127.0.0.1/*'] : [];
        assert.deepEqual(manifest.host_permissions, [...HOST_PERMISSIONS, ...testOnly]);
        assert.deepEqual(manifest.optional_host_permissions, OPTIONAL_HOST_PERMISSIONS);
        assert.equal(manifest.optional_permissions, undefined);
        assert.deepEqual(manifest.content_scripts.flatMap((script) => script.matches), CONTENT_SCRIPT_MATCHES);
        for (const key of ['externally_connectable', 'web_accessible_resources', 'sandbox', 'update_url', 'key']) {
          assert.equal(manifest[key], undefined, `manifest has ${key}`);
        }
      });

      test('the CSP is exactly the intended one and allows no remote or inline code', () => {
        assert.deepEqual(manifest.content_security_policy, { extension_pages: CSP });
        assert.doesNotMatch(CSP, /'unsafe-inline'|'unsafe-eval'|https?:|\*/);
      });

      test('no built script compiles strings or loads remote code', () => {
        const scripts = textFiles(dist, '.js');
        assert.ok(scripts.length >= 4, `only ${scripts.length} scripts in ${dist}`);
        for (const { file, text } of scripts) {
          for (const [pattern, what] of FORBIDDEN_JS) {
            const found = pattern.exec(text);
            assert.equal(found, null, `${file} contains ${what}: …${found && text.slice(Math.max(0, found.index - 60), found.index + 60)}…`);
          }
        }
      });

      test('HTML pages have no inline script, no inline handler, no remote resource', () => {
        const pages = textFiles(dist, '.html');
        assert.ok(pages.length >= 1);
        for (const { file, text } of pages) {
          for (const tag of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
            assert.match(tag[1], /\bsrc="[\w./-]+\.js"/, `${file}: script without a local src: ${tag[0].slice(0, 80)}`);
            assert.equal(tag[2].trim(), '', `${file}: inline script body`);
          }
          assert.doesNotMatch(text, /\son[a-z]+\s*=/i, `${file}: inline event handler`);
          assert.doesNotMatch(text, /javascript:/i, `${file}: javascript: URL`);
          assert.doesNotMatch(text, /(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, `${file}: remote resource`);
        }
      });

      test('every file is one the build is meant to produce', () => {
        for (const file of listFiles(dist)) {
          assert.match(file, /^(?:manifest\.json|[\w-]+\.(?:js|html|css|png)|content\/[\w-]+\.js|core\/keysmith_core_bg\.wasm|icons\/[\w-]+\.png)$/, `unexpected file ${file}`);
        }
      });
    });
  }

  test('the store zip holds exactly the files of dist/extension, byte for byte', () => {
    const zipped = unzipSync(new Uint8Array(readFileSync(path.join(repoRoot, 'dist', 'keysmith-extension.zip'))));
    const names = Object.keys(zipped).filter((name) => !name.endsWith('/')).sort();
    assert.deepEqual(names, listFiles(SHIPPED_DIST));
    for (const name of names) {
      assert.ok(Buffer.from(zipped[name]).equals(readFileSync(path.join(SHIPPED_DIST, name))), `${name} differs in the zip`);
    }
  });

  describe('CSP in force (Chromium, shipped build)', () => {
    let browser;
    before(async () => {
      browser = await launchExtension({ dist: SHIPPED_DIST });
    });
    after(async () => {
      await browser?.close();
    });

    test('the popup refuses inline scripts, string timers and remote scripts', async () => {
      const page = await openPopup(browser);
      const violations = [];
      page.on('console', (message) => violations.push(message.text()));
      const outcome = await page.evaluate(async () => {
        const inline = document.createElement('script');
        inline.textContent = 'window.__keysmithInline = true;';
        document.head.append(inline);
        // A string timer is compiled by the page under its CSP. (eval itself cannot be tried
        // from here: code evaluated through DevTools is exempt from the page's CSP.)
        window.setTimeout.call(window, 'window.__keysmithTimer = true;', 0);
        const remote = document.createElement('script');
        remote.src = 'https://example.com/x.js';
        const remoteLoaded = await new Promise((resolve) => {
          remote.onload = () => resolve(true);
          remote.onerror = () => resolve(false);
          document.head.append(remote);
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { inline: window.__keysmithInline === true, timer: window.__keysmithTimer === true, remoteLoaded };
      });
      assert.deepEqual(outcome, { inline: false, timer: false, remoteLoaded: false });
      assert.ok(violations.some((text) => /Content Security Policy/.test(text)), violations.join('\n'));
    });
  });
});
