// The built WASM package (build/pkg) loads in Node 20 with initSync and signs correctly.
// Run: node --test tests/node/

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadCore } from '../support/core.mjs';

// get-vanilla from the AWS SigV4 test suite.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const REQUEST = { method: 'GET', url: 'https://example.amazonaws.com/', headers: [['Host', 'example.amazonaws.com']] };
const OPTIONS = { region: 'us-east-1', service: 'service', timeMs: Date.parse('2015-08-30T12:36:00Z') };
const EXPECTED = {
  canonicalRequest: [
    'GET',
    '/',
    '',
    'host:example.amazonaws.com',
    'x-amz-date:20150830T123600Z',
    '',
    'host;x-amz-date',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ].join('\n'),
  stringToSign: [
    'AWS4-HMAC-SHA256',
    '20150830T123600Z',
    '20150830/us-east-1/service/aws4_request',
    'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
  ].join('\n'),
  signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
};

const PRESIGNED_SIGNATURE = 'e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d';

function header(headers, name) {
  const found = headers.filter(([key]) => key.toLowerCase() === name);
  assert.equal(found.length, 1, `expected exactly one ${name} header in ${JSON.stringify(headers)}`);
  return found[0][1];
}

/** Calls fn, expects it to throw an Error whose .code is `code`, and returns that error. */
function expectCodedError(code, fn) {
  let thrown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Error, `expected an Error, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `unexpected .code for: ${thrown.message}`);
  return thrown;
}

describe('keysmith core in Node', () => {
  let core;
  before(async () => {
    core = await loadCore();
  });

  test('coreVersion is a semantic version', () => {
    assert.match(core.coreVersion(), /^\d+\.\d+\.\d+/);
  });

  test('signAwsRequest matches the AWS get-vanilla vector at every stage', () => {
    const signed = core.signAwsRequest(REQUEST, CREDENTIALS, OPTIONS);
    assert.equal(signed.canonicalRequest, EXPECTED.canonicalRequest);
    assert.equal(signed.stringToSign, EXPECTED.stringToSign);
    assert.equal(signed.signature, EXPECTED.signature);
    assert.equal(header(signed.headers, 'authorization'), EXPECTED.authorization);
    assert.equal(header(signed.headers, 'x-amz-date'), '20150830T123600Z');
    assert.equal(signed.url, REQUEST.url);
  });

  test('presigning (query mode) matches the get-vanilla vector', () => {
    const signed = core.signAwsRequest(REQUEST, CREDENTIALS, { ...OPTIONS, presign: { expiresSecs: 3600 } });
    assert.equal(signed.signature, PRESIGNED_SIGNATURE);
    const url = new URL(signed.url);
    assert.equal(url.searchParams.get('X-Amz-Signature'), PRESIGNED_SIGNATURE);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '3600');
    assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request');
  });

  test('a different secret gives a different signature', () => {
    const signed = core.signAwsRequest(REQUEST, { ...CREDENTIALS, secretAccessKey: `${CREDENTIALS.secretAccessKey}x` }, OPTIONS);
    assert.notEqual(signed.signature, EXPECTED.signature);
  });

  test('a session token is added as X-Amz-Security-Token', () => {
    const signed = core.signAwsRequest(REQUEST, { ...CREDENTIALS, sessionToken: 'token-example' }, OPTIONS);
    assert.equal(header(signed.headers, 'x-amz-security-token'), 'token-example');
    assert.notEqual(signed.signature, EXPECTED.signature);
  });

  test('bad input throws an Error with a code instead of signing', () => {
    expectCodedError('invalid_region', () => core.signAwsRequest(REQUEST, CREDENTIALS, { ...OPTIONS, region: '' }));
    expectCodedError('invalid_service', () => core.signAwsRequest(REQUEST, CREDENTIALS, { ...OPTIONS, service: '' }));
    expectCodedError('invalid_credentials', () =>
      core.signAwsRequest(REQUEST, { ...CREDENTIALS, secretAccessKey: '' }, OPTIONS),
    );
    expectCodedError('invalid_url', () => core.signAwsRequest({ ...REQUEST, url: 'not a url' }, CREDENTIALS, OPTIONS));
  });

  test('the core is still usable after an error', () => {
    expectCodedError('invalid_region', () => core.signAwsRequest(REQUEST, CREDENTIALS, { ...OPTIONS, region: '' }));
    assert.equal(core.signAwsRequest(REQUEST, CREDENTIALS, OPTIONS).signature, EXPECTED.signature);
  });
});
