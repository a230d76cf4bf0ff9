import { describe, expect, it } from 'vitest';
import { LiveStream } from './live-stream.ts';
import { FakeLiveSource, openEvent } from './test-helpers/fake-live-source.ts';
import { scopeOfClaims } from './viewer-scope.ts';

function setup(historyFrames = 10) {
  const source = new FakeLiveSource();
  for (const rid of ['r-1', 'r-2', 'r-3']) source.set(rid);
  const errors: unknown[] = [];
  const stream = new LiveStream(
    { epoch: 'e1', source, tickMs: 1000, refresh: 30_000, historyFrames, historyMaxWeight: 10_000, maxFeedEvents: 100, onSourceError: (e) => errors.push(e) },
    0,
  );
  return { source, stream, errors };
}

describe('LiveStream (no sockets)', () => {
  it('keeps a scope\'s totals while it is away, so its replay carries them', () => {
    const { source, stream } = setup();
    const manager = stream.scopes.acquire(scopeOfClaims({ role: 'manager', restaurants: ['r-1'] }));
    stream.tick(1000);
    stream.scopes.release(manager, stream.seq);
    source.set('r-1', { connections: 1 });
    source.set('r-2', { connections: 0 });
    source.emit(openEvent('r-2', 't-2', 1500));
    stream.tick(2000);
    stream.tick(3000);
    const replay = stream.replay(manager, { epoch: 'e1', seq: 1 })!;
    expect(replay.map((d) => d.seq)).toEqual([2, 3]);
    expect(replay[0]!.restaurants.map((r) => r.rid)).toEqual(['r-1']);
    expect(replay[0]!.events).toEqual([]);
    expect(replay[0]!.totals).toMatchObject({ restaurants: 1, connections: 1 });
  });

  it('cannot replay to a scope no tick totalled: the viewer gets a snapshot instead', () => {
    const { stream } = setup();
    stream.tick(1000);
    stream.tick(2000);
    const stranger = scopeOfClaims({ role: 'manager', restaurants: ['r-3'] });
    expect(stream.replay(stranger, { epoch: 'e1', seq: 0 })).toBeNull();
    const all = scopeOfClaims({ role: 'support' });
    expect(stream.replay(all, { epoch: 'e1', seq: 0 })?.map((d) => d.seq)).toEqual([1, 2]);
    expect(stream.replay(all, { epoch: 'e0', seq: 0 })).toBeNull();
    const snapshot = stream.snapshot(stranger);
    expect(snapshot).toMatchObject({ seq: 2, t: 2000, totals: { restaurants: 1 } });
    expect(snapshot.restaurants.map((r) => r.rid)).toEqual(['r-3']);
  });

  it('leaves late heartbeats out of the feed: the terminal view reads them from the store', () => {
    const { source, stream } = setup();
    source.emit({ type: 'heartbeat_late', gw: 'gw-test', t: 1200, rid: 'r-1', tid: 't-1', conn: 't-1#1', gapMs: 22_000 });
    source.emit(openEvent('r-1', 't-2', 1500));
    const entry = stream.tick(2000)!;
    expect(entry.events.map((e) => [e.type, e.tid])).toEqual([['open', 't-2']]);
  });

  it('gives a snapshot at seq 0 before the first tick', () => {
    const { stream } = setup();
    const snapshot = stream.snapshot(scopeOfClaims({ role: 'engineer' }));
    expect(snapshot).toMatchObject({ seq: 0, t: 0, historyFrames: 10, totals: { restaurants: 3, connections: 12 } });
  });

  it('does not use up a seq on a tick whose source failed', () => {
    const { source, stream, errors } = setup();
    source.onSample = () => {
      throw new Error('down');
    };
    expect(stream.tick(1000)).toBeNull();
    expect(stream.seq).toBe(0);
    expect(errors).toHaveLength(1);
    source.onSample = undefined;
    expect(stream.tick(2000)?.seq).toBe(1);
  });
});
