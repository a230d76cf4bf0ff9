import { describe, expect, it } from 'vitest';
import { formatProfile, summariseProfile, type CpuProfile } from './cpu-profile.ts';
import { heapGroups, heapGrowth } from './heap-snapshot.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

describe('CPU profile summary', () => {
  // (root) → tick → sort, tick → tick (recursion), (root) → (idle)
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5] },
      { id: 2, callFrame: frame('tick', 'http://h/assets/app.js', 9), children: [3, 4] },
      { id: 3, callFrame: frame('sort', 'http://h/assets/app.js', 19) },
      { id: 4, callFrame: frame('tick', 'http://h/assets/app.js', 9) },
      { id: 5, callFrame: frame('(idle)') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [3, 2, 4, 5, 3],
    // Each sample's time is the delta to the next one; the last sample has none.
    timeDeltas: [0, 1000, 2000, 3000, 4000],
  };

  it('self time is the leaf’s, total time counts a recursing function once per sample', () => {
    const s = summariseProfile(profile);
    expect(s.profiledMs).toBe(10);
    expect(s.busyMs).toBe(6);
    const byFn = Object.fromEntries(s.functions.map((f) => [f.fn, [f.selfMs, f.totalMs]]));
    expect(byFn['sort (app.js:20)']).toEqual([1, 1]);
    expect(byFn['tick (app.js:10)']).toEqual([5, 6]);
    expect(byFn['(idle)']).toEqual([4, 4]);
    expect(byFn['(root)']).toBeUndefined();
  });

  it('prints time per tick, leaving idle out', () => {
    const lines = formatProfile(summariseProfile(profile), 2);
    expect(lines[0]).toMatch(/busy 3\.00 ms\/tick over 2 ticks/);
    expect(lines.join('\n')).not.toMatch(/\(idle\)/);
    expect(lines).toContainEqual(expect.stringMatching(/2\.50 ms\/tick +83\.3 % +tick \(app\.js:10\)/));
  });
});

describe('heap snapshot diff', () => {
  // Node fields: type, name, id, self_size, edge_count; edge fields: type, name_or_index, to_node.
  const snapshot = (entries: number) => {
    const strings = ['Window', 'FeedEntry', 'entries', 'feed'];
    const nodes = [0, 0, 1, 100, 1, 1, 3, 2, 50, entries];
    const edges = [0, 3, 5];
    for (let i = 0; i < entries; i++) {
      nodes.push(0, 1, 10 + i, 40, 0);
      edges.push(1, i, (2 + i) * 5);
    }
    const meta = {
      node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
      node_types: [['object', 'array']],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [['property', 'element']],
    };
    return JSON.stringify({ snapshot: { meta }, nodes, edges, strings });
  };

  it('says which constructor grew, by how much, and what holds the new objects', () => {
    const growth = heapGrowth(heapGroups(snapshot(2)), heapGroups(snapshot(5)));
    expect(growth[0]).toEqual({ group: 'FeedEntry', countDelta: 3, bytesDelta: 120, heldBy: [{ by: '(array feed) [] ← Window .feed', delta: 3 }] });
    expect(growth.find((g) => g.group === 'Window')).toMatchObject({ countDelta: 0, bytesDelta: 0 });
  });
});
