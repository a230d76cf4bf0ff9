import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../protocol/live.ts';
import { StreamHistory, type TickEntry } from './stream-history.ts';
import { figures } from './test-helpers/fake-live-source.ts';

function entry(seq: number, over: Partial<TickEntry> = {}): TickEntry {
  return { seq, t: seq * 1000, changed: [], removed: [], events: [], totals: new Map(), refreshMs: 0, ...over };
}
const open = (id: number, tid: string): LiveEvent => ({ type: 'open', id, gw: 'g', t: id, rid: 'r-1', tid, conn: 'c' });

describe('StreamHistory', () => {
  it('hands back every entry after `since`, in order', () => {
    const h = new StreamHistory(10, 1_000);
    for (let s = 1; s <= 5; s++) h.push(entry(s));
    expect(h.after(2, 5)?.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(h.after(0, 5)?.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(h.after(5, 5)).toEqual([]);
  });

  it('refuses a since it can no longer cover, or one from the future', () => {
    const h = new StreamHistory(3, 1_000);
    for (let s = 1; s <= 6; s++) h.push(entry(s));
    expect(h.length).toBe(3);
    expect(h.after(3, 6)?.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(h.after(2, 6)).toBeNull();
    expect(h.after(7, 6)).toBeNull();
    expect(h.after(-1, 6)).toBeNull();
    expect(h.after(2.5, 6)).toBeNull();
  });

  it('forgets its oldest ticks when it holds too many restaurants and events', () => {
    const h = new StreamHistory(100, 25);
    const ten = Array.from({ length: 10 }, (_, i) => figures(`r-${i}`));
    for (let s = 1; s <= 4; s++) h.push(entry(s, { changed: ten }));
    expect(h.length).toBe(2); // 11 weight each: two fit under 25, three do not
    expect(h.after(2, 4)?.map((e) => e.seq)).toEqual([3, 4]);
    expect(h.after(1, 4)).toBeNull();
  });

  it('keeps the newest entry even when it alone is over the weight bound', () => {
    const h = new StreamHistory(100, 1);
    h.push(entry(1, { removed: ['a', 'b'] }));
    expect(h.latest()?.seq).toBe(1);
  });

  it('rejects an entry that does not follow the last one', () => {
    const h = new StreamHistory(10, 100);
    h.push(entry(1));
    expect(() => h.push(entry(3))).toThrow(/does not follow/);
  });

  it('returns the newest matching events, oldest first', () => {
    const h = new StreamHistory(10, 100);
    h.push(entry(1, { events: [open(0, 'a'), open(1, 'b')] }));
    h.push(entry(2, { events: [open(2, 'a'), open(3, 'a')] }));
    expect(h.recentEvents((e) => e.tid === 'a', 2).map((e) => e.id)).toEqual([2, 3]);
    expect(h.recentEvents(() => true, 10).map((e) => e.id)).toEqual([0, 1, 2, 3]);
  });
});
