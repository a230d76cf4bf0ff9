import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { dashboardPolicy } from './content-security-policy.ts';
import { createStaticHandler, notBuiltPage } from './static-files.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function serve(dir: string): Promise<string> {
  const handler = createStaticHandler(dir);
  const server: Server = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', 'http://x').pathname));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-static-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('static files', () => {
  it('serves the build, falls back to index.html for client routes, and 404s missing assets', async () => {
    const root = tmp();
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(dist, 'assets', 'app-abc.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'outside');
    symlinkSync(join(root, 'secret.txt'), join(dist, 'link.txt'));
    const base = await serve(dist);

    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>spa</title>');

    const asset = await fetch(`${base}/assets/app-abc.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const route = await fetch(`${base}/restaurants/r-001`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>spa</title>');

    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/link.txt`)).status).toBe(404);
    const escape = await fetch(`${base}/..%2Fsecret.txt`);
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('outside');
  });

  it('says the dashboard is not built when there is no index.html', async () => {
    const res = await fetch(`${await serve(join(tmp(), 'dist'))}/`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('dashboard not built');
    expect(text).toContain('npm run build');
  });

  it('sends a strict Content-Security-Policy: self only, no inline script, /live of its own host', async () => {
    const dist = join(tmp(), 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(dist, 'assets', 'app-abc.js'), 'console.log(1)');
    const base = await serve(dist);
    const host = new URL(base).host;

    for (const path of ['/', '/restaurants/r-001', '/assets/app-abc.js', '/assets/missing.js']) {
      const policy = directives((await fetch(`${base}${path}`)).headers.get('content-security-policy'));
      expect(policy.get('default-src'), path).toEqual(["'none'"]);
      expect(policy.get('script-src'), path).toEqual(["'self'"]);
      expect(policy.get('style-src'), path).toEqual(["'self'"]);
      expect(policy.get('connect-src'), path).toEqual(["'self'", `ws://${host}/live`, `wss://${host}/live`]);
      expect(policy.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(policy.get('base-uri'), path).toEqual(["'none'"]);
    }
    // A Host header that is not a plain host[:port] adds no source: 'self' alone.
    const odd = directives(await headerWithHost(base, '/', 'evil.example; script-src *'));
    expect(odd.get('connect-src')).toEqual(["'self'"]);
    expect(odd.get('script-src')).toEqual(["'self'"]);
  });

  it('allows the not-built page its one inline <style> by hash, nothing wider', async () => {
    const res = await fetch(`${await serve(join(tmp(), 'dist'))}/`);
    const styles = directives(res.headers.get('content-security-policy')).get('style-src') ?? [];
    const css = /<style>([\s\S]*?)<\/style>/.exec(notBuiltPage)![1]!;
    expect(styles).toEqual(["'self'", `'sha256-${createHash('sha256').update(css).digest('base64')}'`]);
    expect(notBuiltPage, 'no style attribute (a hash cannot allow one without unsafe-hashes)').not.toMatch(/\sstyle=/);
  });

  it('never lets a host name widen the policy', () => {
    for (const host of ['a b', 'x;script-src *', "x' 'unsafe-inline", '[::1]:7400', 'h:7400/x', '']) {
      const policy = directives(dashboardPolicy({ host }));
      expect(policy.get('connect-src'), host).toEqual(["'self'"]);
      expect([...policy.keys()].sort(), host).toEqual(['base-uri', 'connect-src', 'default-src', 'font-src', 'form-action', 'frame-ancestors', 'img-src', 'manifest-src', 'script-src', 'style-src']);
    }
    expect(directives(dashboardPolicy({ host: 'pulse.example.com:8443' })).get('connect-src')).toEqual(["'self'", 'ws://pulse.example.com:8443/live', 'wss://pulse.example.com:8443/live']);
  });
});

function directives(header: string | null): Map<string, string[]> {
  expect(header).toBeTruthy();
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** fetch() cannot set Host: a raw request can. */
function headerWithHost(base: string, path: string, host: string): Promise<string | null> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
      res.resume();
      resolve((res.headers['content-security-policy'] as string | undefined) ?? null);
    });
    req.on('error', reject);
    req.end();
  });
}
