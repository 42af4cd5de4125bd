// The in-browser half of `make bench`: bundled by bench/run.mjs with esbuild and loaded into
// headless Chromium, where run.mjs calls the functions on `globalThis.bench`. Every timing here
// runs in the page; run.mjs only orchestrates and reports.

import init, * as core from '../build/pkg/keysmith_core.js';
import { AwsV4Signer } from 'aws4fetch';
import { SignatureV4 } from '@smithy/signature-v4';
// What the AWS SDK v3 uses in browsers (runtimeConfig.browser: @aws-crypto/sha256-browser, which
// picks WebCrypto when it is available, as it is here).
import { Sha256 } from '@aws-crypto/sha256-browser';
import { argon2id } from 'hash-wasm';

let wasm; // the core's wasm exports (for its memory size)

/** Rounds of batches, the contenders' order rotated each round; microseconds per call. */
async function alternate(contenders, { rounds, batch, warmup = 3 }) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const runBatch = async (c) => {
    const t0 = performance.now();
    if (c.sync) for (let i = 0; i < batch; i++) c.fn();
    else for (let i = 0; i < batch; i++) await c.fn();
    return ((performance.now() - t0) * 1000) / batch;
  };
  for (let w = 0; w < warmup; w++) for (const c of contenders) await runBatch(c);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length];
      samples[c.name].push(await runBatch(c));
    }
  }
  return samples;
}

const authHeader = (headers) => {
  const found = headers.find(([name]) => name.toLowerCase() === 'authorization');
  if (!found) throw new Error('no authorization header in the signed request');
  return found[1];
};

/** 1. Signing: the same request signed by Keysmith, aws4fetch and @smithy/signature-v4. */
async function signing({ input, rounds, batch }) {
  const { request, region, service, timeMs } = input;
  const date = new Date(timeMs);
  const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const url = new URL(request.url);
  const out = {};
  for (const withToken of [false, true]) {
    const sessionToken = withToken ? input.sessionToken : undefined;
    const creds = { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, sessionToken };
    const keysmith = () =>
      core.signAwsRequest(request, creds, { region, service, timeMs });
    // As AwsClient uses it: one signing-key cache shared across requests.
    const aws4Cache = new Map();
    const aws4 = () =>
      new AwsV4Signer({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body,
        ...creds,
        region,
        service,
        datetime: amzDate,
        allHeaders: true,
        cache: aws4Cache,
      }).sign();
    // As an SDK client uses it: one signer (with its signing-key cache) per client. The SDK's
    // host-header middleware adds `host`; no x-amz-content-sha256 outside S3 (applyChecksum).
    const smithySigner = new SignatureV4({
      credentials: creds,
      region,
      service,
      sha256: Sha256,
      applyChecksum: false,
    });
    const smithy = () =>
      smithySigner.sign(
        {
          method: request.method,
          protocol: url.protocol,
          hostname: url.hostname,
          path: url.pathname,
          query: {},
          headers: { host: url.host, ...Object.fromEntries(request.headers) },
          body: request.body,
        },
        { signingDate: date },
      );

    // Equality first: the three must sign the same headers to the same signature.
    const got = {
      keysmith: authHeader(keysmith().headers),
      aws4fetch: (await aws4()).headers.get('authorization'),
      smithy: (await smithy()).headers.authorization,
    };
    if (new Set(Object.values(got)).size !== 1) {
      throw new Error(`signatures differ (session token: ${withToken}): ${JSON.stringify(got, null, 2)}`);
    }
    const samples = await alternate(
      [
        { name: 'keysmith', fn: keysmith, sync: true },
        { name: 'aws4fetch', fn: aws4 },
        { name: 'smithy', fn: smithy },
      ],
      { rounds, batch },
    );
    out[withToken ? 'withToken' : 'plain'] = { authorization: got.keysmith, samples };
  }
  return out;
}

const b64decode = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** 2. Unlock: vaultUnlock at the vault's defaults against hash-wasm's Argon2id, alternating. */
async function unlock({ passphrase, rounds }) {
  // hash-wasm must compute the same function: Argon2's reference answer (the core's own
  // known-answer test, from Debian's `argon2` tool).
  const kat = await argon2id({
    password: 'password', salt: 'somesaltsomesalt', parallelism: 4, iterations: 3,
    memorySize: 32, hashLength: 32, outputType: 'hex',
  });
  if (kat !== 'f25048ec48311a804ea9edd74e08c30765aa0f8d47c2a5b5a6097243cdf2e5ce') {
    throw new Error(`hash-wasm's Argon2id disagrees with the reference: ${kat}`);
  }
  const created = core.vaultCreate(passphrase);
  core.vaultLock();
  const { mKib, t, p } = created.kdf;
  const headerBytes = b64decode(created.header);
  const salt = headerBytes.slice(39, 71); // FORMAT.md: the salt is header bytes 39..71
  const contenders = [
    {
      name: 'keysmith',
      fn: () => {
        core.vaultUnlock(created.header, passphrase);
        core.vaultLock();
      },
      sync: true,
    },
    {
      name: 'hashwasm',
      fn: () => argon2id({
        password: passphrase, salt, parallelism: p, iterations: t, memorySize: mKib,
        hashLength: 32, outputType: 'binary',
      }),
    },
  ];
  const samples = await alternate(contenders, { rounds, batch: 1, warmup: 1 });
  const ms = (xs) => xs.map((us) => us / 1000);
  return { kdf: created.kdf, saltHex: hex(salt), samplesMs: { keysmith: ms(samples.keysmith), hashwasm: ms(samples.hashwasm) } };
}

/** Creates a vault at the defaults (left locked) and seals `count` entries to it. */
function makeVault({ passphrase, count, createdMs }) {
  const created = core.vaultCreate(passphrase);
  core.vaultLock();
  const entries = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(8, '0');
    const entry = {
      aws_access_key: {
        access_key_id: `AKIABENCH${n}`.padEnd(20, 'X'),
        secret_access_key: `benchSecret/${n}/wJalrXUtnFEMI/K7MDENG`,
        user_name: `bench-user-${n}`,
        description: `benchmark entry ${i}`,
      },
    };
    const sealed = core.vaultSealEntry(created.header, JSON.stringify(entry), createdMs);
    entries.push([sealed.storageKey, sealed.value]);
  }
  return { header: created.header, entries, sealMsPerEntry: (performance.now() - t0) / count };
}

const heap = () => performance.memory.usedJSHeapSize;
const wasmBytes = () => wasm.memory.buffer.byteLength;

/**
 * 3. Vault scale, one size per fresh page (linear memory never shrinks, so growth is only
 * visible from a fresh instance): memory after load, after unlock, after listing; then
 * `rounds` timed unlock + list runs.
 */
async function vaultScale({ header, entries, passphrase, rounds }) {
  globalThis.gc?.();
  const mem0 = { wasm: wasmBytes(), heap: heap() };
  core.vaultUnlock(header, passphrase);
  const mem1 = { wasm: wasmBytes(), heap: heap() };
  let listing = core.vaultListEntries(entries);
  const failed = listing.filter((item) => item.error);
  if (listing.length !== entries.length || failed.length > 0) {
    throw new Error(`listed ${listing.length} of ${entries.length}, ${failed.length} failed`);
  }
  globalThis.gc?.();
  const mem2 = { wasm: wasmBytes(), heap: heap() };
  listing = null;
  core.vaultLock();
  const unlockMs = [];
  const listMs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    core.vaultUnlock(header, passphrase);
    const t1 = performance.now();
    listing = core.vaultListEntries(entries);
    const t2 = performance.now();
    core.vaultLock();
    if (listing.length !== entries.length) throw new Error('short listing');
    unlockMs.push(t1 - t0);
    listMs.push(t2 - t1);
  }
  return { mem0, mem1, mem2, unlockMs, listMs, wasmAfterRuns: wasmBytes() };
}

globalThis.bench = {
  async ready() {
    wasm = await init({ module_or_path: new URL('keysmith_core_bg.wasm', location.href) });
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: globalThis.crossOriginIsolated,
      preciseMemory: typeof performance.memory?.usedJSHeapSize === 'number',
      gc: typeof globalThis.gc === 'function',
    };
  },
  signing,
  unlock,
  makeVault,
  vaultScale,
};
