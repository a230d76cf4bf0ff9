/**
 * The SPA the UI bench drives, and what its first load costs. The bench builds its own copy
 * (`vite build --manifest` into .bench/ui/dist) rather than `dist/`: vite empties its outDir, and
 * another process (an e2e run, `npm start`) may be serving `dist/` at that moment. It rebuilds
 * only when a source the bundle is made of is newer than the last build.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../../src/server/pipeline/spa-build.ts';

export const benchSpaDir = join(packageRoot, '.bench', 'ui', 'dist');
/** The same SPA not minified, for a CPU profile that names functions (`--cpu-profile`). */
export const readableSpaDir = join(packageRoot, '.bench', 'ui', 'dist-readable');
const manifestPath = (dir: string): string => join(dir, '.vite', 'manifest.json');

/** What goes into the bundle; a change to any of them means the last build is stale. */
const inputs = ['src/web', 'src/protocol', 'src/core', 'src/client', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'];

function newestInput(): number {
  let newest = 0;
  for (const rel of inputs) {
    const path = join(packageRoot, rel);
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const name of readdirSync(path, { recursive: true }) as string[]) {
      if (/\.test\.tsx?$|test-helpers/.test(name)) continue;
      newest = Math.max(newest, statSync(join(path, name)).mtimeMs);
    }
  }
  return newest;
}

export function isStale(dir = benchSpaDir): boolean {
  const manifest = manifestPath(dir);
  return !existsSync(manifest) || statSync(manifest).mtimeMs < newestInput();
}

/** `vite build --manifest --outDir <dir>`; its output relayed as progress. Rejects when it fails. */
export function buildBenchSpa(progress: (line: string) => void, dir = benchSpaDir, minify = true): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const args = ['vite', 'build', '--manifest', '--emptyOutDir', '--outDir', dir, '--logLevel', 'warn', ...(minify ? [] : ['--minify', 'false'])];
    const child = spawn('npx', args, {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) progress(`  build │ ${line.trimEnd()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(Date.now() - started) : reject(new Error(`vite build failed (exit ${code})`))));
  });
}

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface BundleSize {
  /** Gzipped bytes (zlib's default level) of the chunks, summed. */
  gzipBytes: number;
  rawBytes: number;
  files: string[];
}

/** A chunk and everything it imports statically (what the browser must load before it runs). */
function closure(manifest: Manifest, keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const k of manifest[key].imports ?? []) visit(k);
  };
  keys.forEach(visit);
  return [...seen];
}

function sizeOf(dir: string, manifest: Manifest, keys: readonly string[]): BundleSize {
  let gzipBytes = 0;
  let rawBytes = 0;
  const files: string[] = [];
  for (const key of keys) {
    const file = manifest[key]!.file;
    const bytes = readFileSync(join(dir, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
    files.push(file);
  }
  return { gzipBytes, rawBytes, files };
}

export interface SpaSizes {
  /** The entry chunk and its static imports: issue 4's "initial JS". */
  initial: BundleSize;
  /** Also the fleet page's lazy chunks (page and charts): what `/` needs before it shows figures. */
  fleetView: BundleSize;
}

export function spaSizes(dir = benchSpaDir): SpaSizes {
  const manifest = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Manifest;
  const entries = Object.keys(manifest).filter((k) => manifest[k]!.isEntry);
  if (entries.length === 0) throw new Error(`${manifestPath(dir)} names no entry chunk`);
  const initialKeys = closure(manifest, entries);
  const fleetLazy = Object.keys(manifest).filter((k) => /features\/fleet\/components\/fleet-(page|charts)\.tsx$/.test(manifest[k]!.src ?? k));
  return { initial: sizeOf(dir, manifest, initialKeys), fleetView: sizeOf(dir, manifest, closure(manifest, [...entries, ...fleetLazy])) };
}
