// A tiny zero-dependency static file server for the end-to-end tests: serves a directory (dist/)
// under a URL prefix (e.g. /latefuse/) on 127.0.0.1 and a random free port, like GitHub Pages serves
// a project site from /<repo>/. Logs every request it answers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, extname, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * @param {{root: string, prefix?: string, host?: string, port?: number}} options
 * @returns {Promise<{url: string, origin: string, port: number, requests: Array<{method: string, url: string, status: number}>, close: () => Promise<void>}>}
 */
export async function startServer({ root, prefix = '/', host = '127.0.0.1', port = 0 }) {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const requests = [];
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const entry = { method: req.method, url: req.url, status: 0 };
    requests.push(entry);
    const send = (status, body, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { 'cache-control': 'no-cache', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { allow: 'GET, HEAD' });
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (pathname === base.slice(0, -1)) return send(301, '', { location: base });
    if (!pathname.startsWith(base)) return send(404, 'not found');
    let rel = pathname.slice(base.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(403, 'forbidden');
    try {
      const info = await stat(file);
      if (!info.isFile()) return send(404, 'not found');
      const body = await readFile(file);
      return send(200, body, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' });
    } catch {
      return send(404, 'not found');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const origin = `http://${host}:${actualPort}`;
  return {
    origin,
    url: `${origin}${base}`,
    port: actualPort,
    requests,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
