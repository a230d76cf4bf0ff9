import { describe, expect, it } from 'vitest';
import { addEvents, emptyFeed } from './event-feed.ts';
import { openEvent } from './test-helpers/live-fixtures.ts';

describe('event feed', () => {
  it('shows the newest first and numbers entries in arrival order', () => {
    const feed = addEvents(emptyFeed(), [openEvent(1, 't-1', 100), openEvent(2, 't-2', 200)]);
    expect(feed.entries.map((e) => e.event.t)).toEqual([200, 100]);
    expect(feed.entries.map((e) => e.n)).toEqual([2, 1]);
    expect(feed.nextN).toBe(3);
  });

  it('never shows an event twice: not from a replay, not from a resync snapshot, not within one batch', () => {
    const a = openEvent(1, 't-1', 100);
    const b = openEvent(2, 't-2', 200);
    let feed = addEvents(emptyFeed(), [a, b]);
    feed = addEvents(feed, [a, b, b]);
    expect(feed.entries).toHaveLength(2);
    // A restarted hub numbers afresh: the same event with another id is still the same event.
    feed = addEvents(feed, [{ ...a, id: 99 }]);
    expect(feed.entries).toHaveLength(2);
  });

  it('returns the same feed when nothing is new, so selectors do not re-render', () => {
    const feed = addEvents(emptyFeed(), [openEvent(1, 't-1', 100)]);
    expect(addEvents(feed, [])).toBe(feed);
    expect(addEvents(feed, [openEvent(1, 't-1', 100)])).toBe(feed);
  });

  it('is bounded: the oldest fall out', () => {
    let feed = emptyFeed(3);
    for (let i = 1; i <= 5; i++) feed = addEvents(feed, [openEvent(i, `t-${i}`, i * 100)]);
    expect(feed.entries.map((e) => e.event.t)).toEqual([500, 400, 300]);
    const big = addEvents(emptyFeed(2), [1, 2, 3, 4].map((i) => openEvent(i, `t-${i}`, i)));
    expect(big.entries.map((e) => e.event.t)).toEqual([4, 3]);
  });

  it('keeps time order when a snapshot brings older history than the feed holds', () => {
    let feed = addEvents(emptyFeed(), [openEvent(5, 't-5', 500)]);
    feed = addEvents(feed, [openEvent(3, 't-3', 300), openEvent(6, 't-6', 600)]);
    expect(feed.entries.map((e) => e.event.t)).toEqual([600, 500, 300]);
  });

  it('finds a repeat among many events of the same time and between older and newer ones', () => {
    const at = (i: number, t: number) => openEvent(i, `t-${i}`, t);
    let feed = addEvents(emptyFeed(), [at(1, 100), at(2, 200), at(3, 200), at(4, 200), at(5, 300)]);
    const before = feed;
    feed = addEvents(feed, [at(3, 200), at(1, 100), at(5, 300)]);
    expect(feed).toBe(before);
    feed = addEvents(feed, [at(6, 200), at(4, 200), at(7, 50)]);
    expect(feed.entries.map((e) => e.event.tid)).toEqual(['t-5', 't-6', 't-4', 't-3', 't-2', 't-1', 't-7']);
  });
});
