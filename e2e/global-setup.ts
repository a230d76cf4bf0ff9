/**
 * The SPA the hubs serve. dist/ is (re)built when index.html is missing or older than any source
 * the bundle is made of — the hub serves dist/ as `pulse start` does, so the specs test the build.
 *
 * The run then serves a private copy: other people (and `pulse start`) rebuild dist/ in this
 * checkout at any time, and a build empties the folder first, which left a page half-loaded
 * ("Failed to fetch dynamically imported module") in the middle of a spec. A copy caught mid-rebuild
 * is detected (an asset some file names is missing) and replaced by a build of our own.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/pulse-system.ts';

/** The bundle's inputs: web plus the isomorphic layers it imports, and the build's own config. */
const sources = ['src/web', 'src/client', 'src/core', 'src/protocol', 'index.html', 'vite.config.ts', 'public'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    // Tests are not bundled: editing one must not cost a rebuild.
    if (entry === 'test-helpers' || /\.test\.tsx?$/.test(entry)) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function build(outDir?: string): void {
  const started = Date.now();
  const args = ['vite', 'build', '--logLevel', 'warn', ...(outDir ? ['--outDir', outDir, '--emptyOutDir'] : [])];
  execFileSync('npx', args, { cwd: repoRoot, stdio: 'inherit', timeout: 180_000 });
  console.log(`e2e: SPA built${outDir ? ' (private copy)' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Whether every `assets/…` file named by index.html and the bundle is present. */
function isComplete(dir: string): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const assets = join(dir, 'assets');
  const files = existsSync(assets) ? readdirSync(assets) : [];
  const texts = [readFileSync(index, 'utf8'), ...files.filter((f) => /\.(js|css)$/.test(f)).map((f) => readFileSync(join(assets, f), 'utf8'))];
  for (const text of texts) for (const m of text.matchAll(/assets\/([\w.-]+\.(?:js|css))/g)) if (!files.includes(m[1]!)) return false;
  return true;
}

export default function globalSetup(): () => void {
  const dist = join(repoRoot, 'dist');
  const index = join(dist, 'index.html');
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (builtAt < Math.max(...sources.map((s) => newestMtime(join(repoRoot, s))))) {
    console.log(builtAt === 0 ? 'e2e: dist/ missing — building the SPA (npx vite build)…' : 'e2e: dist/ older than the sources — rebuilding the SPA…');
    build();
  }

  const copy = mkdtempSync(join(tmpdir(), 'pulse-e2e-dist-'));
  cpSync(dist, copy, { recursive: true });
  if (!isComplete(copy)) {
    console.log('e2e: dist/ changed while it was copied (someone is rebuilding it) — building a private copy…');
    build(copy);
  }
  // Workers inherit the runner's environment; the harness hands this folder to every hub.
  process.env.PULSE_E2E_STATIC = copy;
  return () => rmSync(copy, { recursive: true, force: true });
}
