// A pass-through HTTP proxy in front of an emulator that records every request it forwards
// (method, path, headers, body, and the answer's body), for tests that must see what the extension
// sent: the request reaches the emulator unchanged (same Host header, so SigV4 signatures made
// for the proxy's URL still verify there). moto always runs behind one (tests/support/moto.mjs):
// the leak audit reads what went in, and the secrets that came out.

import { once } from 'node:events';
import http from 'node:http';

/**
 * @typedef {object} RecordedExchange
 * @property {string} method
 * @property {string} path      path and query
 * @property {Record<string, string|string[]>} headers  as received (names lower-cased)
 * @property {string} body
 * @property {string} response  the answer's body (complete once the answer has been sent)
 */

/**
 * @param {string} target  the emulator's base URL, e.g. http://127.0.0.1:5000
 * @returns {Promise<{endpoint: string, requests: RecordedExchange[], stop: () => Promise<void>}>}
 */
export async function startRecordingProxy(target) {
  const upstream = new URL(target);
  /** @type {RecordedExchange[]} */
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: body.toString('utf8'), response: '' };
      requests.push(record);
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const answerChunks = [];
          answer.on('data', (chunk) => answerChunks.push(chunk));
          answer.on('end', () => {
            record.response = Buffer.concat(answerChunks).toString('utf8');
          });
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${error.message}`);
      });
      forward.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the recording proxy has no TCP address');
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
