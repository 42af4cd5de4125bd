// A pass-through HTTP proxy in front of an emulator that records every request it forwards
// (method, path, headers, body, and the answer's body), for tests that must see what the extension sent: the request
// reaches the emulator unchanged (same Host header, so signatures still verify there).

import http from 'node:http';
import { findFreePort } from './moto.mjs';

/**
 * @param {string} target  the emulator's base URL, e.g. http://127.0.0.1:5000
 * @returns {Promise<{endpoint: string, requests: {method: string, path: string, headers: Record<string, string>, body: string, response: string}[], stop: () => Promise<void>}>}
 */
export async function startRecordingProxy(target) {
  const upstream = new URL(target);
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record = { method: req.method, path: req.url, headers: { ...req.headers }, body: body.toString('utf8'), response: '' };
      requests.push(record);
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.on('data', (chunk) => {
            record.response += chunk.toString('utf8');
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
  const port = await findFreePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
