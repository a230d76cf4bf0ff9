import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStaticHandler } from './static-files.ts';

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
});
