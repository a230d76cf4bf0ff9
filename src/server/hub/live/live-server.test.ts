import { afterEach, describe, expect, it } from 'vitest';
import { formatSince, type DeltaFrame, type LiveFrame, type SnapshotFrame } from '../../../protocol/live.ts';
import { FakeLiveSource, openEvent, closeEvent } from './test-helpers/fake-live-source.ts';
import { connectViewer, sleep, startLive, until, viewerToken, type LiveHarness, type TestViewer } from './test-helpers/live-harness.ts';

const isSnapshot = (f: LiveFrame): f is SnapshotFrame => f.type === 'snapshot';
const isDelta = (f: LiveFrame): f is DeltaFrame => f.type === 'delta';

let harness: LiveHarness | undefined;
const viewers: TestViewer[] = [];
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.close()));
  await harness?.close();
  harness = undefined;
});

function fleet(n: number): FakeLiveSource {
  const source = new FakeLiveSource();
  for (let i = 1; i <= n; i++) source.set(`r-00${i}`);
  return source;
}

function viewer(options: Parameters<typeof connectViewer>[1] = {}): TestViewer {
  const v = connectViewer(harness!.baseUrl, { token: viewerToken('support'), ...options });
  viewers.push(v);
  return v;
}

function expectContiguous(frames: readonly { seq: number }[]): void {
  frames.forEach((f, i) => {
    if (i > 0) expect(f.seq, `frame ${i}`).toBe(frames[i - 1]!.seq + 1);
  });
}

describe('live stream', () => {
  it('sends a snapshot of the scope, then one delta per tick with contiguous seqs', async () => {
    harness = await startLive({ source: fleet(3) });
    const v = viewer();
    const snapshot = await v.waitFor(isSnapshot);
    expect(snapshot.restaurants.map((r) => r.rid)).toEqual(['r-001', 'r-002', 'r-003']);
    expect(snapshot.totals.connections).toBe(12);
    expect(snapshot.epoch).toBe(harness.live.epoch);
    expect(snapshot.tickMs).toBe(50);
    await v.waitForCount('delta', 8);
    const stream = v.stream();
    expect(stream[0]!.type).toBe('snapshot');
    expect(stream[1]!.seq).toBe(snapshot.seq + 1);
    expectContiguous(stream);
    // Nothing changed: every delta is empty but still sent, so the viewer knows the hub is alive.
    for (const d of stream.slice(1) as DeltaFrame[]) expect(d.restaurants).toEqual([]);
    expect(v.problems).toEqual([]);
  });

  it('a viewer whose token expires is closed 4001 within a tick, not at the next 15 s heartbeat sweep', async () => {
    harness = await startLive({ source: fleet(1), heartbeatIntervalMs: 15_000 });
    const v = viewer({ token: viewerToken('support', undefined, 2) });
    await v.waitFor(isSnapshot);
    const started = Date.now();
    const closed = await v.closed;
    expect(closed.code).toBe(4001);
    // The token had at most 2 s left; before, the 15 s sweep closed it up to 15 s later.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a delta holds only the restaurants that changed, and the ones removed', async () => {
    const source = fleet(3);
    harness = await startLive({ source });
    const v = viewer();
    await v.waitFor(isSnapshot);
    source.set('r-002', { connections: 1, status: 'degraded' });
    const changed = await v.waitFor((f): f is DeltaFrame => isDelta(f) && f.restaurants.length > 0);
    expect(changed.restaurants).toEqual([expect.objectContaining({ rid: 'r-002', connections: 1, status: 'degraded' })]);
    expect(changed.totals.connections).toBe(9);
    source.remove('r-003');
    const removed = await v.waitFor((f): f is DeltaFrame => isDelta(f) && f.removed.length > 0);
    expect(removed.removed).toEqual(['r-003']);
    expect(removed.restaurants).toEqual([]);
    expect(removed.totals.restaurants).toBe(2);
    // The change was reported once: no later delta repeats it.
    await v.waitForCount('delta', 3, 3_000, v.frames.indexOf(removed) + 1);
    const all = v.frames.filter(isDelta);
    expect(all.filter((d) => d.restaurants.length > 0)).toHaveLength(1);
  });

  it('carries new lifecycle events in the feed, numbered, and seeds a new viewer with recent ones', async () => {
    const source = fleet(2);
    harness = await startLive({ source });
    const v = viewer();
    await v.waitFor(isSnapshot);
    source.emit(openEvent('r-001', 't-1'));
    source.emit(closeEvent('r-002', 't-2'));
    const withEvents = await v.waitFor((f): f is DeltaFrame => isDelta(f) && f.events.length > 0);
    expect(withEvents.events.map((e) => [e.type, e.tid])).toEqual([['open', 't-1'], ['close', 't-2']]);
    expect(withEvents.events[1]!.id).toBeGreaterThan(withEvents.events[0]!.id);
    expect(withEvents.eventsOmitted).toBe(0);
    const later = viewer();
    const snapshot = await later.waitFor(isSnapshot);
    expect(snapshot.events.map((e) => e.id)).toEqual(withEvents.events.map((e) => e.id));
  });

  it('bounds the feed of one delta and says how many events it left out', async () => {
    const source = fleet(1);
    harness = await startLive({ source, maxFeedEvents: 3 });
    const v = viewer();
    await v.waitFor(isSnapshot);
    for (let i = 0; i < 5; i++) source.emit(openEvent('r-001', `t-${i}`));
    const d = await v.waitFor((f): f is DeltaFrame => isDelta(f) && f.events.length > 0);
    expect(d.events.map((e) => e.tid)).toEqual(['t-2', 't-3', 't-4']);
    expect(d.eventsOmitted).toBe(2);
  });

  it('a viewer away for a few ticks resumes with every missed delta exactly once, in order', async () => {
    const source = fleet(2);
    // The fleet moves every tick, so each missed delta has content to compare.
    source.onSample = (n) => source.set('r-001', { connections: n % 50 });
    harness = await startLive({ source });
    const witness = viewer();
    const away = viewer();
    await away.waitForCount('delta', 3);
    await away.close();
    const position = away.stream().at(-1)!;
    const seqAtLeave = position.seq;
    await until(() => harness!.live.stats().seq >= seqAtLeave + 6, 3_000, 'six ticks while away');

    const back = viewer({ since: formatSince({ epoch: position.epoch, seq: seqAtLeave }) });
    await back.waitForCount('delta', 10);
    const stream = back.stream();
    expect(stream[0]!.type).toBe('delta');
    expect(stream[0]!.seq).toBe(seqAtLeave + 1);
    expectContiguous(stream);
    // Each replayed frame is byte for byte what a viewer that never left received for that seq.
    const witnessBySeq = new Map(witness.raw.map((text, i) => [witness.frames[i]!.seq, text] as const));
    const replayed = back.raw.slice(0, 6);
    replayed.forEach((text, i) => expect(text).toBe(witnessBySeq.get(seqAtLeave + 1 + i)));
    expect(harness.live.stats().resumesReplayed).toBe(1);
  });

  it('answers a fresh snapshot when the viewer was away past the history', async () => {
    harness = await startLive({ source: fleet(2), historyFrames: 3 });
    const away = viewer();
    await away.waitForCount('delta', 2);
    await away.close();
    const last = away.stream().at(-1)!;
    await until(() => harness!.live.stats().seq >= last.seq + 5, 3_000, 'five ticks while away');
    const back = viewer({ since: formatSince(last) });
    const first = await back.waitFor(() => true);
    expect(first.type).toBe('snapshot');
    expect(first.seq).toBeGreaterThanOrEqual(last.seq + 5);
    await back.waitForCount('delta', 2);
    expectContiguous(back.stream());
    expect(harness.live.stats().resumesResynced).toBe(1);
  });

  it('answers a snapshot to a resume from another epoch or from the future', async () => {
    harness = await startLive({ source: fleet(2) });
    const stranger = viewer({ since: 'another-hub.5' });
    expect((await stranger.waitFor(() => true)).type).toBe('snapshot');
    const future = viewer({ since: formatSince({ epoch: harness.live.epoch, seq: 10_000 }) });
    expect((await future.waitFor(() => true)).type).toBe('snapshot');
    const garbage = viewer({ since: 'not-a-position' });
    expect((await garbage.waitFor(() => true)).type).toBe('snapshot');
    expect(harness.live.stats().resumesResynced).toBe(2);
  });

  it('replays on a resume message within a connection; the viewer drops what it already holds', async () => {
    harness = await startLive({ source: fleet(2) });
    const v = viewer();
    await v.waitForCount('delta', 4);
    const held = v.stream().at(-1)!.seq;
    const from = v.frames.length;
    v.send({ type: 'resume', epoch: harness.live.epoch, since: held - 2 });
    const again = await v.waitFor((f): f is DeltaFrame => isDelta(f) && f.seq === held - 1, 3_000, from);
    expect(again.seq).toBe(held - 1);
    const after = v.frames.slice(from).filter(isDelta).map((d) => d.seq);
    expect(after.slice(0, 2)).toEqual([held - 1, held]);
  });

  it('answers ping with pong carrying its id and the viewer position', async () => {
    harness = await startLive({ source: fleet(1), tickMs: 10_000 });
    const v = viewer();
    const snapshot = await v.waitFor(isSnapshot);
    v.send({ type: 'ping', id: 42 });
    const pong = await v.waitFor((f) => f.type === 'pong');
    expect(pong).toMatchObject({ type: 'pong', id: 42, epoch: snapshot.epoch, seq: snapshot.seq });
  });

  it('streams a watched terminal\'s lifecycle events as they arrive', async () => {
    const source = fleet(2);
    harness = await startLive({ source });
    source.emit(openEvent('r-001', 't-7'));
    const v = viewer();
    await v.waitForCount('delta', 2);
    v.send({ type: 'watch_terminal', tid: 't-7' });
    const initial = await v.waitFor((f) => f.type === 'terminal_events' && f.initial);
    expect(initial.type === 'terminal_events' && initial.events.map((e) => e.type)).toEqual(['open']);
    source.emit(closeEvent('r-001', 't-7'));
    source.emit(openEvent('r-002', 't-8'));
    const live = await v.waitFor((f) => f.type === 'terminal_events' && !f.initial);
    expect(live.type === 'terminal_events' && live.events.map((e) => [e.type, e.tid])).toEqual([['close', 't-7']]);
    v.send({ type: 'unwatch_terminal', tid: 't-7' });
    await sleep(60);
    const count = v.frames.filter((f) => f.type === 'terminal_events').length;
    source.emit(openEvent('r-001', 't-7'));
    await v.waitForCount('delta', 3, 3_000, v.frames.length);
    expect(v.frames.filter((f) => f.type === 'terminal_events')).toHaveLength(count);
  });

  it('binds an engineer\'s watch of an id not seen yet to the restaurant of its first event, so a second till of that id is not mixed in', async () => {
    const source = fleet(2);
    harness = await startLive({ source });
    const v = viewer();
    await v.waitFor(isSnapshot);
    v.send({ type: 'watch_terminal', tid: 'till-1' });
    const initial = await v.waitFor((f) => f.type === 'terminal_events' && f.initial);
    expect(initial.type === 'terminal_events' && initial.events).toEqual([]);
    source.emit(openEvent('r-001', 'till-1'));
    await v.waitFor((f) => f.type === 'terminal_events' && !f.initial);
    source.emit(openEvent('r-002', 'till-1'));
    source.emit(closeEvent('r-001', 'till-1'));
    await v.waitFor((f) => f.type === 'terminal_events' && !f.initial && f.events.some((e) => e.type === 'close'));
    const streamed = v.frames.flatMap((f) => (f.type === 'terminal_events' && !f.initial ? f.events.map((e) => [e.type, 'rid' in e ? e.rid : null]) : []));
    expect(streamed).toEqual([['open', 'r-001'], ['close', 'r-001']]);
  });

  it('tells each viewer its own role, though support and engineers share the whole-fleet scope', async () => {
    harness = await startLive({ source: fleet(2) });
    const support = viewer();
    const engineer = viewer({ token: viewerToken('engineer') });
    const [a, b] = await Promise.all([support.waitFor(isSnapshot), engineer.waitFor(isSnapshot)]);
    expect(a.type === 'snapshot' && a.scope).toEqual({ role: 'support', restaurants: null });
    expect(b.type === 'snapshot' && b.scope).toEqual({ role: 'engineer', restaurants: null });
  });

  it('closes 1008 with an error frame on a message outside the protocol', async () => {
    harness = await startLive({ source: fleet(1) });
    const v = viewer();
    await v.waitFor(isSnapshot);
    v.ws.send('{"type":"subscribe_everything"}');
    const error = await v.waitFor((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect((await v.closed).code).toBe(1008);
  });

  it('terminates a viewer that stops answering heartbeats, and keeps one that answers', async () => {
    harness = await startLive({ source: fleet(1), heartbeatIntervalMs: 100 });
    const deaf = viewer({ autoPong: false });
    const alive = viewer();
    await Promise.all([deaf.waitFor(isSnapshot), alive.waitFor(isSnapshot)]);
    const closed = await deaf.closed;
    expect(closed.code).toBe(1006); // terminated: a dead peer gets no close handshake
    expect(harness.live.stats().heartbeatTimeouts).toBe(1);
    await sleep(300);
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    expect(harness.live.stats().viewers).toBe(1);
  });

  it('closes every viewer with 1001 on shutdown', async () => {
    harness = await startLive({ source: fleet(1) });
    const v = viewer();
    await v.waitFor(isSnapshot);
    await harness.close();
    harness = undefined;
    expect(await v.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
  });
});
