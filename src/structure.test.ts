/**
 * The house rules a reader can count (STYLE.md: "one idea per file, ~50–250 lines; split past
 * ~400"; "benches and tools live outside the product's layers and never become a reason for a
 * circle"), checked on the tree itself so a change that breaks one fails here, not in a review:
 * no file in src over 400 lines, no import circle in src or bench/, no import from src into bench/.
 * Each check is also run on a planted tree in a temp folder, so a checker that stopped seeing
 * (a resolver that drops every import finds no circle) fails too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { arrowsBetween, importCircles, importGraph, longFiles, sourceFiles } from './test-helpers/import-graph.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(repo, 'src');
const bench = join(repo, 'bench');
const maxLines = 400;
/** Files allowed past maxLines, each with its reason. None today: a new entry needs one. */
const longFileExceptions: Record<string, string> = {};

const circlesOf = (root: string, folders: string[]) =>
  importCircles(importGraph(folders.flatMap((folder) => sourceFiles(folder)))).map((circle) => circle.map((file) => relative(root, file)).join(' → '));

describe('the tree', () => {
  it(`has no file in src over ${maxLines} lines`, () => {
    const long = longFiles(sourceFiles(src), maxLines, repo).filter((line) => !(line.split(' (')[0]! in longFileExceptions));
    expect(long).toEqual([]);
  });

  it('has no import circle in src or bench/', () => {
    expect(circlesOf(repo, [src, bench])).toEqual([]);
  });

  it('has no import from the product (src) into the benches (bench/)', () => {
    const graph = importGraph([...sourceFiles(src), ...sourceFiles(bench)]);
    expect(arrowsBetween(graph, src, bench, repo)).toEqual([]);
  });
});

describe('the checks see what they look for (a planted tree)', () => {
  const planted = mkdtempSync(join(tmpdir(), 'pulse-structure-'));
  afterAll(() => rmSync(planted, { recursive: true, force: true }));
  const plant = (path: string, text: string) => {
    mkdirSync(dirname(join(planted, path)), { recursive: true });
    writeFileSync(join(planted, path), text);
  };
  plant('src/a.ts', "import { b } from './deep/b.ts';\nexport const a = () => b;\n");
  plant('src/deep/b.ts', "import type { C } from '../c';\nexport const b = 1 as unknown as C;\n");
  plant('src/c.ts', "// import { nothing } from './a.ts' is a comment, not an import\nimport { a } from './a.ts';\nexport type C = typeof a;\n");
  plant('src/leaf.ts', "import { z } from 'zod';\nexport const leaf = z;\n");
  plant('src/long.ts', 'export const x = 1;\n'.repeat(maxLines + 1));
  plant('bench/b-bench.ts', "import { leaf } from '../src/leaf.ts';\nexport const run = leaf;\n");
  plant('src/uses-bench.ts', "import { run } from '../bench/b-bench.ts';\nexport const up = run;\n");

  it('finds a circle through a subfolder, an extensionless and a type-only import, and nothing else', () => {
    expect(circlesOf(planted, [join(planted, 'src')])).toEqual(['src/a.ts → src/deep/b.ts → src/c.ts']);
  });

  it('finds a file over the limit, and not one at it', () => {
    plant('src/at-limit.ts', 'export const y = 1;\n'.repeat(maxLines));
    expect(longFiles(sourceFiles(join(planted, 'src')), maxLines, planted)).toEqual([`src/long.ts (${maxLines + 1} lines)`]);
  });

  it('finds an arrow from the product into a bench, not the other way', () => {
    const graph = importGraph([...sourceFiles(join(planted, 'src')), ...sourceFiles(join(planted, 'bench'))]);
    expect(arrowsBetween(graph, join(planted, 'src'), join(planted, 'bench'), planted)).toEqual(['src/uses-bench.ts → bench/b-bench.ts']);
  });

  it('lint refuses a product file importing a bench, with the reason (eslint.config.js)', async () => {
    const eslint = new ESLint({ cwd: repo });
    const code = "import { runGatewayBench } from '../../../bench/gateway/gateway-bench.ts';\nexport const planted = runGatewayBench;\n";
    for (const file of ['src/server/cli/planted.ts', 'src/core/planted.ts', 'src/web/lib/planted.ts']) {
      const [result] = await eslint.lintText(code, { filePath: join(repo, file) });
      const messages = (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
      expect(messages, file).toEqual([expect.stringContaining('the benches live in bench/')]);
    }
  });
});
