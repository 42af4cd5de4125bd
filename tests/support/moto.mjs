// Starts a local moto server (real AWS API emulator), seeds an IAM signer identity,
// then switches SigV4 verification on so that every later request must be signed correctly.
//
// Usage:
//   const moto = await startMoto();            // { endpoint, port, signer, accountId, stop() }
//   ... point the extension / core at moto.endpoint ...
//   await moto.stop();

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { privateKeyParts, watchEmulator } from './leak-audit.mjs';
import { startRecordingProxy } from './recording-proxy.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const motoBin = path.join(repoRoot, '.venv', 'bin', 'moto_server');

const IAM_VERSION = '2010-05-08';
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
// Enough unauthenticated requests to seed; reset to 0 right after seeding anyway.
const SEED_NO_AUTH_COUNT = 50;

/** The user whose key signs everything in the tests ("key issuer"). */
export const SIGNER_USER = 'keysmith-issuer';

/**
 * @typedef {object} MotoServer
 * @property {string} endpoint     base URL, e.g. http://127.0.0.1:41234 (no trailing slash)
 * @property {number} port
 * @property {string} accountId    the emulated AWS account id
 * @property {{accessKeyId: string, secretAccessKey: string}} signer
 *           an access key of SIGNER_USER, who has a full-access inline policy
 * @property {() => string} logs   moto's combined stdout/stderr so far (for failure messages)
 * @property {() => import('./recording-proxy.mjs').RecordedExchange[]} requests  every request
 *           sent to `endpoint` (a recording proxy in front of moto), with moto's answer
 * @property {() => Promise<void>} stop
 */

/** Finds a free TCP port on 127.0.0.1 (the OS picks; small race window until moto binds it). */
export async function findFreePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('could not read the port of a probe socket');
  }
  const { port } = address;
  server.close();
  await once(server, 'close');
  return port;
}

/** fetch with a hard timeout. */
async function fetchWithTimeout(url, init = {}, timeoutMs = REQUEST_TIMEOUT_MS) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends an IAM Query API request while moto still accepts unauthenticated requests.
 * The Authorization header is deliberately bogus: moto only uses its credential scope to route
 * the request to IAM, and does not check it while the no-auth allowance lasts.
 */
async function unsignedIamCall(endpoint, params) {
  const body = new URLSearchParams({ ...params, Version: IAM_VERSION }).toString();
  const scope = `AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/iam/aws4_request`;
  const response = await fetchWithTimeout(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=seed`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`moto seeding call ${params.Action} failed: HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  return text;
}

/** Extracts the text of the first <tag>…</tag> in an XML document (moto's responses are simple). */
export function xmlText(xml, tag) {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (match === null) {
    throw new Error(`no <${tag}> in response: ${xml.slice(0, 300)}`);
  }
  return match[1];
}

async function waitUntilReady(endpoint, child, getLogs) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'no attempt yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto_server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${getLogs()}`);
    }
    try {
      const response = await fetchWithTimeout(`${endpoint}/moto-api/`, {}, 2_000);
      await response.arrayBuffer();
      if (response.ok) {
        return;
      }
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      // Expected while the server is still starting; remembered for the timeout message.
      lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    await sleep(200);
  }
  throw new Error(`moto_server not ready after ${READY_TIMEOUT_MS} ms (last: ${lastError}):\n${getLogs()}`);
}

/** Starts moto on a random port; retries with another port if the chosen one was taken. */
async function spawnMoto(extraEnv = {}) {
  if (!existsSync(motoBin)) {
    throw new Error(
      `${motoBin} not found: create it with: python3 -m venv .venv && .venv/bin/pip install 'moto[server]'`,
    );
  }
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await findFreePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(motoBin, ['-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, ...extraEnv, INITIAL_NO_AUTH_ACTION_COUNT: String(SEED_NO_AUTH_COUNT) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Never leave moto behind, even when the test process dies on an uncaught error.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let logs = '';
    const keep = (chunk) => {
      logs = (logs + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const getLogs = () => logs;
    try {
      await waitUntilReady(endpoint, child, getLogs);
      return { child, port, endpoint, getLogs };
    } catch (error) {
      lastError = error;
      await killChild(child);
    }
  }
  throw lastError;
}

async function killChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Turns on SigV4 verification for every following request. */
async function lockDown(endpoint) {
  const response = await fetchWithTimeout(`${endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '0',
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`moto reset-auth failed: HTTP ${response.status}: ${text}`);
  }
}

/**
 * Proves that verification is on: a request carrying the signer's real access key id but a
 * wrong signature must be refused with SignatureDoesNotMatch.
 */
async function assertBadSignatureRefused(endpoint, accessKeyId) {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const scope = `${accessKeyId}/${amzDate.slice(0, 8)}/us-east-1/iam/aws4_request`;
  const response = await fetchWithTimeout(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    },
    body: `Action=ListUsers&Version=${IAM_VERSION}`,
  });
  const text = await response.text();
  if (response.status !== 403 || !text.includes('<Code>SignatureDoesNotMatch</Code>')) {
    throw new Error(
      `moto accepted or mis-answered a badly signed request (HTTP ${response.status}): ${text.slice(0, 300)}`,
    );
  }
}

/** Every `<Tag>value</Tag>` of an XML answer, the tag's case ignored (EC2 writes keyMaterial). */
function xmlTexts(xml, tag) {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'gi'))].map((match) => match[1]);
}

/**
 * moto's part in the leak audit (tests/support/leak-audit.mjs). What AWS handed out: the signer's
 * secret, and every SecretAccessKey, SessionToken and EC2 KeyMaterial in an answer that went
 * through the recording proxy. What it received: no secret anywhere, except a session token as
 * its own X-Amz-Security-Token header, and a created key in the body of a Secrets Manager push
 * (CreateSecret, PutSecretValue); no passphrase at all.
 */
function motoAudit(signer, exchanges, getLogs) {
  return {
    secrets: () => [
      { label: 'AWS signer secret', text: signer.secretAccessKey, kind: 'provider' },
      ...exchanges.flatMap(({ response }, i) => [
        ...xmlTexts(response, 'SecretAccessKey').map((text) => ({ label: `AWS secret access key (answer ${i})`, text, kind: 'provider' })),
        ...xmlTexts(response, 'SessionToken').map((text) => ({ label: `AWS session token (answer ${i})`, text, kind: 'session-token' })),
        ...xmlTexts(response, 'KeyMaterial').flatMap((pem) => privateKeyParts(`EC2 private key (answer ${i})`, pem)),
      ]),
    ],
    requestHits: (search) => {
      const hits = [];
      for (const { method, path: target, headers, body } of exchanges) {
        const push = /^secretsmanager\.(CreateSecret|PutSecretValue)$/.test(String(headers['x-amz-target'] ?? ''));
        const where = `request to moto ${method} ${target} ${headers['x-amz-target'] ?? ''}`;
        const { 'x-amz-security-token': token, ...rest } = headers;
        hits.push(...search(JSON.stringify({ method, target, headers: rest })).map((label) => `${where}: ${label}`));
        // Temporary credentials' session token goes to AWS in this header: that is its use.
        const ownToken = (secret) => secret.kind === 'session-token' && secret.text === token;
        hits.push(...search(String(token ?? ''), ownToken).map((label) => `${where} (X-Amz-Security-Token): ${label}`));
        hits.push(...search(body, (secret) => push && secret.kind !== 'passphrase').map((label) => `${where} (body): ${label}`));
      }
      hits.push(...search(getLogs()).map((label) => `moto's log: ${label}`));
      return hits;
    },
  };
}

/**
 * Starts and seeds moto.
 * @param {{extraUsers?: string[], env?: Record<string, string>}} [options]
 *        extra IAM users to create before lock-down (e.g. targets for CreateAccessKey); extra
 *        environment for moto (e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true, for the AWS managed
 *        policies)
 * @returns {Promise<MotoServer>}
 */
export async function startMoto(options = {}) {
  const { child, port, endpoint, getLogs } = await spawnMoto(options.env);
  const stop = () => killChild(child);
  try {
    await unsignedIamCall(endpoint, { Action: 'CreateUser', UserName: SIGNER_USER });
    await unsignedIamCall(endpoint, {
      Action: 'PutUserPolicy',
      UserName: SIGNER_USER,
      PolicyName: 'full-access',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    });
    const keyXml = await unsignedIamCall(endpoint, { Action: 'CreateAccessKey', UserName: SIGNER_USER });
    const signer = {
      accessKeyId: xmlText(keyXml, 'AccessKeyId'),
      secretAccessKey: xmlText(keyXml, 'SecretAccessKey'),
    };
    const userXml = await unsignedIamCall(endpoint, { Action: 'GetUser', UserName: SIGNER_USER });
    const arn = xmlText(userXml, 'Arn');
    const accountId = arn.split(':')[4];
    for (const userName of options.extraUsers ?? []) {
      await unsignedIamCall(endpoint, { Action: 'CreateUser', UserName: userName });
    }
    await lockDown(endpoint);
    await assertBadSignatureRefused(endpoint, signer.accessKeyId);
    // Everything goes through a recording proxy: the leak audit (tests/support/leak-audit.mjs)
    // checks what was sent to AWS, and learns every secret AWS handed out from the answers.
    const recorder = await startRecordingProxy(endpoint);
    watchEmulator(motoAudit(signer, recorder.requests, getLogs));
    return {
      endpoint: recorder.endpoint,
      port,
      accountId,
      signer,
      logs: getLogs,
      requests: () => structuredClone(recorder.requests),
      stop: async () => {
        await recorder.stop();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
