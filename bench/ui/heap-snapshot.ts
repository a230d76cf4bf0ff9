/**
 * What the page's heap is made of, from a V8 heap snapshot (CDP `HeapProfiler.takeHeapSnapshot`):
 * objects counted and sized by constructor, and for each group what holds its objects (the
 * retaining object and edge). Two snapshots diffed say what grew between them and who keeps it —
 * a heap figure that only says "grew 13 %" cannot tell the page's data from the bench's probes.
 */

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGroup {
  count: number;
  bytes: number;
  /** `retainer .edge ← its retainer .edge ← …` → objects of the group held so (first retainers). */
  retainers: Map<string, number>;
}

/** The group an object is counted in: its constructor, or V8's kind for what has none. */
function groupOf(type: string, name: string): string {
  if (type === 'object' || type === 'native') return name;
  if (type === 'closure') return `(closure ${name || 'anonymous'})`;
  if (type === 'array' || type === 'hidden' || type === 'object shape' || type === 'code') return `(${type} ${name.replace(/\d+/g, '#').slice(0, 40)})`;
  return `(${type})`;
}

const retainerDepth = 3;

export function heapGroups(json: string): Map<string, HeapGroup> {
  const s = JSON.parse(json) as RawSnapshot;
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = s.snapshot.meta;
  const nodeWidth = nf.length;
  const edgeWidth = ef.length;
  const [tType, tName, tSize, tEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
  const nodeTypes = nt[0];
  const edgeTypes = et[0];
  const nodeCount = s.nodes.length / nodeWidth;
  const groupOfNode = new Array<string>(nodeCount);
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < nodeCount; i++) {
    const o = i * nodeWidth;
    const key = groupOf(nodeTypes[s.nodes[o + tType]!]!, s.strings[s.nodes[o + tName]!]!);
    groupOfNode[i] = key;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { count: 0, bytes: 0, retainers: new Map() }));
    g.count++;
    g.bytes += s.nodes[o + tSize]!;
  }
  // One retainer per object (the first strong edge to it), followed up a few levels: enough to see
  // which structure holds a group (a listener is held by its target, held by …).
  const retainer = new Int32Array(nodeCount).fill(-1);
  const via = new Array<string>(nodeCount);
  let edge = 0;
  for (let i = 0; i < nodeCount; i++) {
    const edges = s.nodes[i * nodeWidth + tEdges]!;
    for (let k = 0; k < edges; k++, edge += edgeWidth) {
      const type = edgeTypes[s.edges[edge + eType]!]!;
      if (type === 'weak' || type === 'shortcut') continue;
      const to = s.edges[edge + eTo]! / nodeWidth;
      if (retainer[to] !== -1 || to === i) continue;
      retainer[to] = i;
      via[to] = type === 'element' || type === 'hidden' ? '[]' : `.${String(s.strings[s.edges[edge + eName]!] ?? '')}`.slice(0, 30);
    }
  }
  for (let i = 0; i < nodeCount; i++) {
    if (retainer[i] === -1) continue;
    const chain: string[] = [];
    for (let at = i, depth = 0; depth < retainerDepth && retainer[at] !== -1; depth++, at = retainer[at]!) chain.push(`${groupOfNode[retainer[at]!]} ${via[at]}`);
    const by = chain.join(' ← ');
    const r = groups.get(groupOfNode[i]!)!.retainers;
    r.set(by, (r.get(by) ?? 0) + 1);
  }
  return groups;
}

export interface HeapGrowth {
  group: string;
  countDelta: number;
  bytesDelta: number;
  /** Retainers whose count of the group's objects grew most. */
  heldBy: { by: string; delta: number }[];
}

/** Groups that grew from `before` to `after`, by bytes, largest first. */
export function heapGrowth(before: Map<string, HeapGroup>, after: Map<string, HeapGroup>, top = 30): HeapGrowth[] {
  const out: HeapGrowth[] = [];
  for (const [group, a] of after) {
    const b = before.get(group) ?? { count: 0, bytes: 0, retainers: new Map<string, number>() };
    const heldBy = [...a.retainers]
      .map(([by, n]) => ({ by, delta: n - (b.retainers.get(by) ?? 0) }))
      .filter((r) => r.delta !== 0)
      .sort((x, y) => y.delta - x.delta)
      .slice(0, 3);
    out.push({ group, countDelta: a.count - b.count, bytesDelta: a.bytes - b.bytes, heldBy });
  }
  for (const [group, b] of before) if (!after.has(group)) out.push({ group, countDelta: -b.count, bytesDelta: -b.bytes, heldBy: [] });
  return out.sort((x, y) => Math.abs(y.bytesDelta) - Math.abs(x.bytesDelta)).slice(0, top);
}

export function formatGrowth(growth: readonly HeapGrowth[], totalBefore: number, totalAfter: number): string[] {
  const kb = (b: number): string => `${b >= 0 ? '+' : ''}${(b / 1000).toFixed(1)} KB`;
  const lines = [`heap snapshots: ${(totalBefore / 1e6).toFixed(2)} MB → ${(totalAfter / 1e6).toFixed(2)} MB (self sizes summed); largest changes:`];
  for (const g of growth) {
    const held = g.heldBy.map((r) => `${r.by} ${r.delta > 0 ? '+' : ''}${r.delta}`).join('; ');
    lines.push(`  ${kb(g.bytesDelta).padStart(11)}  ${`${g.countDelta >= 0 ? '+' : ''}${g.countDelta}`.padStart(7)}  ${g.group}${held ? `  ← ${held}` : ''}`);
  }
  return lines;
}

export const totalBytes = (groups: Map<string, HeapGroup>): number => [...groups.values()].reduce((sum, g) => sum + g.bytes, 0);
