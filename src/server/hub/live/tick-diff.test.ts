import { describe, expect, it } from 'vitest';
import { FiguresState } from './tick-diff.ts';
import { figures } from './test-helpers/fake-live-source.ts';

describe('FiguresState', () => {
  it('reports everything as changed on the first tick, then only what differs', () => {
    const state = new FiguresState();
    expect(state.apply([figures('a'), figures('b')]).changed.map((f) => f.rid)).toEqual(['a', 'b']);
    const next = state.apply([figures('a'), figures('b', { connections: 1 })]);
    expect(next).toEqual({ changed: [figures('b', { connections: 1 })], removed: [] });
    expect(state.apply([figures('a'), figures('b', { connections: 1 })])).toEqual({ changed: [], removed: [] });
  });

  it('sees a change nested in percentiles and error counts', () => {
    const state = new FiguresState();
    state.apply([figures('a')]);
    expect(state.apply([figures('a', { rttMs: { p50: 20, p95: 40, p99: 61 } })]).changed).toHaveLength(1);
    expect(state.apply([figures('a', { rttMs: { p50: 20, p95: 40, p99: 61 }, errors: { too_large: 1 } })]).changed).toHaveLength(1);
  });

  it('reports restaurants gone from the source as removed, once', () => {
    const state = new FiguresState();
    state.apply([figures('a'), figures('b')]);
    expect(state.apply([figures('b')]).removed).toEqual(['a']);
    expect(state.apply([figures('b')]).removed).toEqual([]);
    expect([...state.values()].map((f) => f.rid)).toEqual(['b']);
    expect(state.apply([figures('a'), figures('b')]).changed.map((f) => f.rid)).toEqual(['a']);
  });

  it('takes the first of duplicated restaurants', () => {
    const state = new FiguresState();
    state.apply([figures('a', { connections: 1 }), figures('a', { connections: 2 })]);
    expect([...state.values()]).toEqual([figures('a', { connections: 1 })]);
    expect(state.size).toBe(1);
  });
});
