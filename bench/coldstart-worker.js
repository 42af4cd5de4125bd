// The service worker of the cold-start benchmark (bench/coldstart.mjs). esbuild builds it twice,
// with SIGNER defined as "keysmith" or "aws4fetch", into two throwaway MV3 extensions: the same
// worker code, only the signer differs. On every start it loads its signer and signs the bench's
// IAM CreateAccessKey request; a message from the bench page asks when that was ready.
// CORE_PKG picks the shipped core (signing + vault + provider calls) or the signing-only build.
//
// `performance.now()` in a worker counts from the worker's time origin, which Chromium sets when
// it creates the worker's global scope, before the script is evaluated: so `readyMs` is "worker
// started → first signed request ready", script evaluation and WASM compilation included.

import init, { signAwsRequest } from 'keysmith-core';
import { AwsV4Signer } from 'aws4fetch';

/* global SIGNER, SIGN_INPUT */
const input = SIGN_INPUT;
// When this module's body starts running (after the bundle was fetched, parsed and linked).
const scriptMs = performance.now();
let loadedMs = scriptMs; // after the signer is loaded (the core's WASM instantiated), before signing

async function signWithKeysmith() {
  await init({ module_or_path: chrome.runtime.getURL('keysmith_core_bg.wasm') });
  loadedMs = performance.now();
  const signed = signAwsRequest(
    input.request,
    { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
    { region: input.region, service: input.service, timeMs: input.timeMs },
  );
  return signed.headers.find(([name]) => name === 'authorization')[1];
}

async function signWithAws4fetch() {
  const amzDate = new Date(input.timeMs).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const signed = await new AwsV4Signer({
    method: input.request.method,
    url: input.request.url,
    headers: input.request.headers,
    body: input.request.body,
    accessKeyId: input.accessKeyId,
    secretAccessKey: input.secretAccessKey,
    region: input.region,
    service: input.service,
    datetime: amzDate,
    allHeaders: true,
  }).sign();
  return signed.headers.get('authorization');
}

const ready = (SIGNER !== 'aws4fetch' ? signWithKeysmith() : signWithAws4fetch()).then(
  (authorization) => ({ ok: true, scriptMs, loadedMs, readyMs: performance.now(), authorization }),
  (error) => ({ ok: false, error: String(error?.stack ?? error) }),
);

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message === 'coldstart?') {
    ready.then(sendResponse);
    return true;
  }
  return false;
});
