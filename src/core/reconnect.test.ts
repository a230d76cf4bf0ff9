import { describe, expect, it } from 'vitest';
import { isReconnect, ReconnectTracker, RECONNECT_WINDOW_MS } from './reconnect.ts';

describe('isReconnect', () => {
  it.each([
    ['never closed before', undefined, 1_000, false],
    ['same instant', 1_000, 1_000, true],
    ['2 s later', 1_000, 3_000, true],
    ['exactly 10 min later', 0, RECONNECT_WINDOW_MS, true],
    ['10 min + 1 ms later', 0, RECONNECT_WINDOW_MS + 1, false],
    ['an open before the close', 5_000, 4_000, false],
  ] as const)('%s', (_name, lastClose, open, want) => {
    expect(isReconnect(lastClose, open)).toBe(want);
  });

  it('counts an open while the previous connection is still open (half-open, timed out later)', () => {
    expect(isReconnect(undefined, 1_000, true)).toBe(true);
  });
});

describe('ReconnectTracker', () => {
  it('counts an open after a close once, and a first open never', () => {
    const r = new ReconnectTracker();
    expect(r.open('t1', 0, 'a')).toBe(false);
    expect(r.close('t1', 10_000, 'a')).toBeNull();
    expect(r.open('t1', 12_000, 'b')).toBe(true);
    expect(r.close('t1', 20_000, 'b')).toBeNull();
    expect(r.open('t1', 20_000 + RECONNECT_WINDOW_MS + 1, 'c')).toBe(false);
  });

  it('counts a reconnect through another gateway exactly once, whichever frame arrives first', () => {
    const r = new ReconnectTracker();
    expect(r.open('t1', 0, 'gwA/1')).toBe(false);
    // gwB's frame with the new open overtakes gwA's frame with the close: gwA/1 is still open here.
    expect(r.open('t1', 12_000, 'gwB/1')).toBe(true);
    expect(r.close('t1', 10_000, 'gwA/1')).toBeNull();
    expect(r.close('t1', 10_000, 'gwA/1')).toBeNull();
  });

  it('counts a reconnect whose close arrives after the open when the old open was never seen, once', () => {
    const r = new ReconnectTracker(); // e.g. a hub started while gwA/1 was already open
    expect(r.open('t1', 12_000, 'gwB/1')).toBe(false);
    expect(r.close('t1', 10_000, 'gwA/1')).toBe(12_000);
    // Redelivery of the same close, or the reopened connection's own close, counts nothing more.
    expect(r.close('t1', 10_000, 'gwA/1')).toBeNull();
    expect(r.close('t1', 30_000, 'gwB/1')).toBeNull();
  });

  it('a close of a connection never seen open does not hide one that was', () => {
    const r = new ReconnectTracker();
    expect(r.open('t1', 12_000, 'gwB/1')).toBe(false);
    expect(r.close('t1', 1_000, 'gwX/9')).toBe(12_000); // unknown to the tracker, closed before the open
    // 20 min later the last close is too old: only gwB/1 still being open makes this a reconnect.
    expect(r.open('t1', 12_000 + 20 * 60_000, 'gwB/2')).toBe(true);
  });

  it('counts a new connection opened before the gateway times the silent old one out, once', () => {
    const r = new ReconnectTracker();
    expect(r.open('t1', 0, 'old')).toBe(false);
    expect(r.open('t1', 20_000, 'new')).toBe(true);
    expect(r.close('t1', 35_000, 'old')).toBeNull(); // the 4008 arrives later: nothing more
    expect(r.close('t1', 50_000, 'new')).toBeNull();
    expect(r.open('t1', 51_000, 'third')).toBe(true);
  });

  it("never counts a connection's own close as its reconnect", () => {
    const r = new ReconnectTracker();
    expect(r.open('t1', 5_000, 'a')).toBe(false);
    expect(r.close('t1', 5_000, 'a')).toBeNull();
  });

  it('keeps terminals apart, remembers history and prunes what can no longer matter', () => {
    const r = new ReconnectTracker();
    r.remember('t1', 1_000);
    expect(r.open('t2', 2_000, 'x')).toBe(false);
    expect(r.open('t1', 2_000, 'y')).toBe(true);
    expect(r.close('t1', 3_000, 'y')).toBeNull();
    expect(r.size).toBe(2);
    r.prune(3_000 + RECONNECT_WINDOW_MS + 1);
    expect(r.size).toBe(1); // t2 is still connected: kept
    expect(r.close('t2', 3_000 + RECONNECT_WINDOW_MS + 2, 'x')).toBeNull();
    r.prune(3_000 + 2 * RECONNECT_WINDOW_MS + 3);
    expect(r.size).toBe(0);
  });
});
