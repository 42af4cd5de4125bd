// Builds the extension from extension/src and the WASM package in build/pkg.
//
//   node extension/build.mjs               → dist/extension/ and dist/keysmith-extension.zip
//   node extension/build.mjs --test-build  → dist/extension-test/ (also KEYSMITH_TEST_BUILD=1)
//
// The test build differs from the shipped one in two ways: its manifest also grants
// http://127.0.0.1/* so the end-to-end tests can talk to local emulators without a permission
// prompt, and it keeps the statements labelled `KEYSMITH_TEST:` (the fault-injection pause
// points, background/test-pause.ts), which the shipped build drops (esbuild dropLabels, with
// __KEYSMITH_TEST_BUILD__ defined false); a hygiene test checks that dist/extension has no
// trace of them. Everything else (CSP, permissions) is identical.

import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const extensionDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(extensionDir, '..');
const pkgDir = path.join(repoRoot, 'build', 'pkg');
const distDir = path.join(repoRoot, 'dist');

export const TEST_HOST_PERMISSION = 'http://127.0.0.1/*';

const testBuild = process.argv.includes('--test-build') || process.env.KEYSMITH_TEST_BUILD === '1';
const unknownArgs = process.argv.slice(2).filter((arg) => arg !== '--test-build');
if (unknownArgs.length > 0) {
  fail(`unknown argument(s): ${unknownArgs.join(' ')} (only --test-build is accepted)`);
}
const outDir = path.join(distDir, testBuild ? 'extension-test' : 'extension');
const zipPath = path.join(distDir, 'keysmith-extension.zip');

function fail(message) {
  console.error(`extension/build.mjs: ${message}`);
  process.exit(1);
}

function requirePackage() {
  const needed = ['keysmith_core.js', 'keysmith_core.d.ts', 'keysmith_core_bg.wasm'];
  const missing = needed.filter((name) => !existsSync(path.join(pkgDir, name)));
  if (missing.length > 0) {
    fail(
      `the WASM package is missing (${missing.map((name) => `build/pkg/${name}`).join(', ')}): ` +
        'run scripts/build-wasm.sh first',
    );
  }
}

function makeManifest() {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
  if (testBuild) {
    manifest.host_permissions = [...manifest.host_permissions, TEST_HOST_PERMISSION];
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function bundle() {
  const common = {
    bundle: true,
    target: 'chrome110',
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    // Readable output: store reviewers read it, and there is nothing to hide.
    minify: false,
    sourcemap: false,
    define: { __KEYSMITH_TEST_BUILD__: String(testBuild) },
    dropLabels: testBuild ? [] : ['KEYSMITH_TEST'],
  };
  const src = path.join(extensionDir, 'src');
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(src, 'background', 'service-worker.ts')],
      outfile: path.join(outDir, 'background.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: [path.join(src, 'ui', 'popup.ts')],
      outfile: path.join(outDir, 'popup.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: [path.join(src, 'ui', 'options.ts')],
      outfile: path.join(outDir, 'options.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: {
        'aws-console': path.join(src, 'content', 'aws-console.ts'),
        'scaleway-console': path.join(src, 'content', 'scaleway-console.ts'),
      },
      outdir: path.join(outDir, 'content'),
      // Content scripts are classic scripts: no import/export at top level.
      format: 'iife',
    }),
  ]);
}

function copyStatic() {
  writeFileSync(path.join(outDir, 'manifest.json'), makeManifest());
  copyFileSync(path.join(extensionDir, 'src', 'ui', 'popup.html'), path.join(outDir, 'popup.html'));
  copyFileSync(path.join(extensionDir, 'src', 'ui', 'options.html'), path.join(outDir, 'options.html'));
  copyFileSync(path.join(extensionDir, 'src', 'ui', 'popup.css'), path.join(outDir, 'popup.css'));
  copyFileSync(path.join(extensionDir, 'src', 'ui', 'options.css'), path.join(outDir, 'options.css'));
  mkdirSync(path.join(outDir, 'core'), { recursive: true });
  copyFileSync(path.join(pkgDir, 'keysmith_core_bg.wasm'), path.join(outDir, 'core', 'keysmith_core_bg.wasm'));
}

/** Every file under dir, as sorted paths relative to dir with "/" separators. */
function listFiles(dir, prefix = '') {
  const entries = readdirSync(path.join(dir, prefix), { withFileTypes: true });
  return entries
    .flatMap((entry) => {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? listFiles(dir, relative) : [relative];
    })
    .sort();
}

/** Writes the store zip. Fixed timestamps so the same inputs give the same bytes. */
function writeZip() {
  const mtime = new Date('2000-01-01T00:00:00Z');
  const files = {};
  for (const relative of listFiles(outDir)) {
    files[relative] = [new Uint8Array(readFileSync(path.join(outDir, relative))), { mtime, level: 9 }];
  }
  writeFileSync(zipPath, zipSync(files));
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function printSizes() {
  const wasm = readFileSync(path.join(outDir, 'core', 'keysmith_core_bg.wasm'));
  const rows = [
    ['core/keysmith_core_bg.wasm', kib(wasm.length)],
    ['core/keysmith_core_bg.wasm (gzip -9)', kib(gzipSync(wasm, { level: 9 }).length)],
  ];
  for (const name of ['background.js', 'popup.js', 'options.js', 'content/aws-console.js', 'content/scaleway-console.js']) {
    rows.push([name, kib(statSync(path.join(outDir, name)).size)]);
  }
  if (!testBuild) {
    rows.push([path.relative(repoRoot, zipPath), kib(statSync(zipPath).size)]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`Built ${path.relative(repoRoot, outDir)}/${testBuild ? ' (test build: + ' + TEST_HOST_PERMISSION + ')' : ''}`);
  for (const [name, size] of rows) {
    console.log(`  ${name.padEnd(width)}  ${size.padStart(10)}`);
  }
}

async function main() {
  requirePackage();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await bundle();
  copyStatic();
  if (!testBuild) {
    writeZip();
  }
  printSizes();
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
