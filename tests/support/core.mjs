// Loads the built WASM package (build/pkg, wasm-bindgen --target web) in Node with initSync,
// and signs Query API calls with it, so tests can check the emulator's state independently of
// the extension.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './moto.mjs';

export const PKG_DIR = path.join(repoRoot, 'build', 'pkg');

/** Imports build/pkg/keysmith_core.js and instantiates it synchronously from the .wasm bytes. */
export async function loadCore() {
  const glue = path.join(PKG_DIR, 'keysmith_core.js');
  const wasm = path.join(PKG_DIR, 'keysmith_core_bg.wasm');
  if (!existsSync(glue) || !existsSync(wasm)) {
    throw new Error('build/pkg is missing: run scripts/build-wasm.sh first');
  }
  const core = await import(pathToFileURL(glue).href);
  core.initSync({ module: readFileSync(wasm) });
  return core;
}

const QUERY_SERVICES = {
  iam: { version: '2010-05-08', region: 'us-east-1' },
  sts: { version: '2011-06-15', region: 'us-east-1' },
  ec2: { version: '2016-11-15', region: 'us-east-1' },
};

/**
 * A Query API body encoded as botocore encodes it (Python's urlencode): A-Z a-z 0-9 - _ . ~
 * as they are, a space as +, every other byte percent-encoded. moto checks signatures against
 * its own re-encoding of the parsed form, so a body encoded otherwise (URLSearchParams leaves
 * `*` raw) is refused as SignatureDoesNotMatch even though AWS would accept it.
 */
export function queryBody(params) {
  const encode = (text) =>
    encodeURIComponent(text)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  return Object.entries(params)
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');
}

/**
 * Sends a SigV4-signed Query API request (form POST) to `endpoint`, signed by the core.
 * `region` overrides the service's default (EC2 is regional; moto keeps one backend per region).
 * @returns {Promise<{status: number, text: string}>}
 */
export async function signedQuery(core, { endpoint, service, params, credentials, region: inRegion }) {
  const { version, region: defaultRegion } = QUERY_SERVICES[service];
  const region = inRegion ?? defaultRegion;
  const body = queryBody({ ...params, Version: version });
  return signedPost(core, {
    url: `${endpoint}/`,
    headers: [['content-type', 'application/x-www-form-urlencoded; charset=utf-8']],
    body,
    region,
    service,
    credentials,
  });
}

/**
 * Sends a SigV4-signed AWS JSON 1.1 request (e.g. secretsmanager.GetSecretValue) to `endpoint`.
 * @returns {Promise<{status: number, text: string}>}
 */
export async function signedJson(core, { endpoint, service, target, region, params, credentials }) {
  return signedPost(core, {
    url: `${endpoint}/`,
    headers: [
      ['content-type', 'application/x-amz-json-1.1'],
      ['x-amz-target', target],
    ],
    body: JSON.stringify(params),
    region,
    service,
    credentials,
  });
}

async function signedPost(core, { url, headers, body, region, service, credentials }) {
  const signed = core.signAwsRequest({ method: 'POST', url, headers, body }, credentials, {
    region,
    service,
    timeMs: Date.now(),
  });
  // fetch derives Host from the URL, which is what was signed; it refuses to be handed one.
  const response = await fetch(signed.url, {
    method: 'POST',
    headers: signed.headers.filter(([name]) => name.toLowerCase() !== 'host'),
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * The access key ids of IAM user `userName`, sorted, as the emulator at `endpoint` lists them
 * (ListAccessKeys signed by the core with `credentials`): the provider's view, independent of
 * the extension.
 */
export async function listedAccessKeyIds(core, { endpoint, credentials }, userName) {
  const listed = await signedQuery(core, { endpoint, service: 'iam', params: { Action: 'ListAccessKeys', UserName: userName }, credentials });
  if (listed.status !== 200) {
    throw new Error(`ListAccessKeys for ${userName}: HTTP ${listed.status}: ${listed.text.slice(0, 300)}`);
  }
  return [...listed.text.matchAll(/<AccessKeyId>([^<]+)<\/AccessKeyId>/g)].map((m) => m[1]).sort();
}

/**
 * Asserts that `credentials` are a real access key of IAM user `userName` at moto (signature
 * checks on): GetCallerIdentity signed with them is accepted and names that user of moto's
 * account, and the same key with the secret's last character changed is refused (403), so the
 * acceptance means something.
 * @param {{endpoint: string, accountId: string}} moto
 */
export async function assertSignsAs(core, moto, { accessKeyId, secretAccessKey }, userName) {
  const ask = (secret) =>
    signedQuery(core, {
      endpoint: moto.endpoint,
      service: 'sts',
      params: { Action: 'GetCallerIdentity' },
      credentials: { accessKeyId, secretAccessKey: secret },
    });
  const identity = await ask(secretAccessKey);
  assert.equal(identity.status, 200, identity.text);
  assert.equal(/<Arn>([^<]*)<\/Arn>/.exec(identity.text)?.[1], `arn:aws:iam::${moto.accountId}:user/${userName}`, identity.text);
  const flipped = secretAccessKey.slice(0, -1) + (secretAccessKey.endsWith('A') ? 'B' : 'A');
  const refused = await ask(flipped);
  assert.equal(refused.status, 403, refused.text);
}
