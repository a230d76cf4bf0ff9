/**
 * Serves the built SPA (vite's `dist/`) from the hub's own port, so `npm start` needs one URL.
 *
 * - `/assets/*` are content-hashed by vite: cached for a year. `index.html` is never cached, or a
 *   new build would keep loading yesterday's script names.
 * - Any other path without a file extension is a client route (`/restaurants/r-001`): it gets
 *   index.html, so deep links and reloads work. A missing file *with* an extension is a real 404.
 * - Paths are resolved inside the root and checked to stay there (no `..`, no symlink escape by
 *   name). Existence is checked per request, so a build finishing after the hub started is picked
 *   up without a restart, and a missing build shows a page that says how to make one.
 * - Every answer carries the dashboard's Content-Security-Policy (content-security-policy.ts):
 *   index.html is where it matters, and an SVG or HTML file opened directly gets it too.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { dashboardPolicy, inlineStyleHashes } from './content-security-policy.ts';
import { baseHeaders } from './respond.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pulse — dashboard not built</title>
<meta name="color-scheme" content="light dark">
<style>body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5 }</style></head>
<body>
<h1>Pulse hub is running — dashboard not built</h1>
<p>The dashboard (the single-page app) has not been built yet: run <code>npm run build</code>,
then reload this page. The hub is live meanwhile: <a href="/healthz">/healthz</a>,
<a href="/metrics">/metrics</a>, the REST API under <code>/api</code> and the stream <code>/live</code>.</p>
</body></html>
`;
// Its one <style> block is allowed by hash: the page gets the dashboard's policy, not a looser one.
const notBuiltStyles = inlineStyleHashes(notBuiltPage);

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

export function createStaticHandler(dir: string): StaticHandler {
  const root = resolve(dir);

  async function fileAt(pathname: string): Promise<{ path: string; size: number } | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const candidate = resolve(join(root, decoded));
    if (candidate !== root && !candidate.startsWith(root + sep)) return null;
    try {
      const s = await stat(candidate);
      if (!s.isFile()) return null;
      // A symlink inside dist/ must not lead outside it.
      const real = await realpath(candidate);
      const realRoot = await realpath(root);
      if (!real.startsWith(realRoot + sep)) return null;
      return { path: real, size: s.size };
    } catch {
      return null;
    }
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; size: number }, cache: string): void {
    res.writeHead(200, {
      ...baseHeaders,
      'content-security-policy': dashboardPolicy({ host: req.headers.host }),
      'content-type': contentTypes[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': file.size,
      'cache-control': cache,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  function sendText(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
    const policy = dashboardPolicy({ host: req.headers.host, styleHashes: body === notBuiltPage ? notBuiltStyles : [] });
    res.writeHead(status, { ...baseHeaders, 'content-security-policy': policy, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  }

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    }
    const index = await fileAt('/index.html');
    if (!index) return sendText(req, res, 200, 'text/html; charset=utf-8', notBuiltPage);
    if (pathname !== '/' && pathname !== '/index.html') {
      const file = await fileAt(pathname);
      if (file) return sendFile(req, res, file, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (extname(pathname) !== '') return sendText(req, res, 404, 'text/plain; charset=utf-8', 'Not found\n');
    }
    sendFile(req, res, index, 'no-cache');
  };
}
