/**
 * The import graph of a source tree, read with the TypeScript compiler's own pre-processor (so a
 * string that looks like an import inside a comment or template does not count), for the
 * structure test: file sizes, import circles, and arrows from the product into the benches.
 *
 * Only relative specifiers are followed: packages are outside the tree, and the project writes
 * every in-tree import with its extension (`./x.ts`), which keeps resolution a plain path join.
 * Type-only imports count too: a circle of types is still two rooms that cannot be read apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const sourceFile = /\.(ts|tsx|js|mjs)$/;

/** Every source file under `root` (absolute paths), node_modules and dot-folders left out. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (sourceFile.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** file → the in-tree files it imports (static, dynamic and type-only imports, and re-exports). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((ref) => resolveSpecifier(file, ref.fileName))
      .filter((target): target is string => target !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import circles of the graph, one per strongly connected component of more than one file
 * (or a file importing itself), each as the cycle's files in order. Tarjan's algorithm, written
 * iteratively so a deep tree cannot overflow the stack.
 */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfImport = (graph.get(frame.node) ?? []).includes(frame.node);
      if (component.length > 1 || selfImport) circles.push(component.reverse());
    }
  }
  return circles;
}

/** The imports from a file under `from` to a file under `to` (both absolute folders), as "a → b". */
export function arrowsBetween(graph: ReadonlyMap<string, readonly string[]>, from: string, to: string, root: string): string[] {
  const inside = (file: string, folder: string) => !relative(folder, file).startsWith('..');
  const arrows: string[] = [];
  for (const [file, targets] of graph) {
    if (!inside(file, from)) continue;
    for (const target of targets) if (inside(target, to)) arrows.push(`${relative(root, file)} → ${relative(root, target)}`);
  }
  return arrows;
}

/** The files over `maxLines` lines, as "path (n lines)". */
export function longFiles(files: readonly string[], maxLines: number, root: string): string[] {
  return files
    .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > maxLines)
    .map(({ file, lines }) => `${relative(root, file)} (${lines} lines)`);
}
