import { afterEach, describe, expect, it } from 'vitest';
import { summaryFigureFields, type DeltaFrame, type FiguresFrame, type LiveFrame, type SnapshotFrame } from '../../../protocol/live.ts';
import { FakeLiveSource } from './test-helpers/fake-live-source.ts';
import { connectViewer, startLive, viewerToken, type LiveHarness, type TestViewer } from './test-helpers/live-harness.ts';

let harness: LiveHarness | undefined;
const viewers: TestViewer[] = [];
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.close()));
  await harness?.close();
  harness = undefined;
});

const rid = (i: number): string => `r-${String(i).padStart(5, '0')}`;
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, k) => rid(from + k));
const inView = range(5000, 5030);
/** Restaurants whose RTT moves every tick: the rows in view, and some far from them. */
const moving = [...inView, ...range(0, 9999).filter((_, i) => i % 500 === 0), rid(9000)];

/** 10,000 restaurants; the moving ones get a new RTT p95 every tick (a rolling figure). */
function bigFleet(): FakeLiveSource {
  const source = new FakeLiveSource();
  for (let i = 0; i < 10_000; i++) source.set(rid(i), { connections: 4, expected: 4 });
  source.onSample = (n) => {
    for (const r of moving) source.set(r, { rttMs: { p50: 10 + n, p95: 20 + n, p99: 30 + n } });
  };
  return source;
}

const deltas = (frames: readonly LiveFrame[]): DeltaFrame[] => frames.filter((f): f is DeltaFrame => f.type === 'delta');
const isFigures = (f: LiveFrame): f is FiguresFrame => f.type === 'figures';
const summaryKeys = new Set<string>(['rid', ...summaryFigureFields]);

describe('interest-based streaming', () => {
  it('sends full-rate patches for the rows in view and a summary for the rest that keeps order and counts right', async () => {
    const source = bigFleet();
    // The default refresh policy: rolling figures of a 10,000-restaurant fleet wait up to 60 s.
    harness = await startLive({ source, tickMs: 100 });
    const v = connectViewer(harness.baseUrl, { token: viewerToken('support'), validate: false });
    const plain = connectViewer(harness.baseUrl, { token: viewerToken('support'), validate: false });
    viewers.push(v, plain);
    const snapshot = (await v.waitFor((f) => f.type === 'snapshot', 5_000)) as SnapshotFrame;
    expect(snapshot.restaurants).toHaveLength(10_000);

    // Scrolled to rows 5,000–5,030: the answer holds those rows whole, at their current figures.
    v.send({ type: 'interest', rids: inView });
    const answer = await v.waitFor(isFigures, 3_000);
    expect(answer.restaurants.map((r) => r.rid)).toEqual(inView);
    const from = v.frames.length;
    await v.waitForCount('delta', 5, 5_000, from);

    // Every tick, each row in view gets its new RTT; no other restaurant gets anything but summary
    // fields (the RTT of the far moving ones is not sent at all).
    const after = deltas(v.frames.slice(from));
    for (const d of after.slice(0, 5)) {
      const rttOf = new Map(d.restaurants.filter((p) => p.rttMs !== undefined).map((p) => [p.rid, p.rttMs]));
      expect([...rttOf.keys()].sort()).toEqual(inView);
      for (const p of d.restaurants) if (!inView.includes(p.rid)) expect(Object.keys(p).every((k) => summaryKeys.has(k)), JSON.stringify(p)).toBe(true);
    }
    // A viewer that never said what it looks at keeps the shared stream: rolling figures wait.
    const plainRtt = deltas(plain.frames).flatMap((d) => d.restaurants.filter((p) => inView.includes(p.rid) && p.rttMs !== undefined));
    expect(plainRtt.length).toBeLessThan(inView.length * 2);

    // An off-screen restaurant goes offline: the very next delta says so, in the summary, and the
    // totals (the filter counts) count it.
    const mark = v.frames.length;
    source.set(rid(9000), { status: 'offline', connections: 0 });
    const outage = (await v.waitFor((f) => f.type === 'delta' && f.restaurants.some((p) => p.rid === rid(9000) && p.status === 'offline'), 3_000, mark)) as DeltaFrame;
    const patch = outage.restaurants.find((p) => p.rid === rid(9000))!;
    expect(patch).toMatchObject({ status: 'offline', connections: 0 });
    expect(patch.rttMs).toBeUndefined();
    expect(outage.totals.byStatus.offline).toBe(1);

    // Scrolling to it: its current RTT comes at once (before the next tick), not the one the
    // snapshot had; from then on it is patched every tick.
    const beforeScroll = v.frames.length;
    const lastSeq = deltas(v.frames).at(-1)!.seq;
    v.send({ type: 'interest', rids: [rid(9000)] });
    const scrolled = await v.waitFor(isFigures, 3_000, beforeScroll);
    expect(scrolled.restaurants).toHaveLength(1);
    const current = source.restaurants.get(rid(9000))!;
    expect(scrolled.restaurants[0]).toMatchObject({ status: 'offline', connections: 0, rttMs: current.rttMs });
    expect(scrolled.restaurants[0]!.rttMs!.p95).toBeGreaterThan(snapshot.restaurants.find((r) => r.rid === rid(9000))!.rttMs!.p95);
    expect(scrolled.seq).toBeGreaterThanOrEqual(lastSeq);
    const next = (await v.waitForCount('delta', 2, 3_000, v.frames.indexOf(scrolled))) as DeltaFrame[];
    expect(next[1]!.restaurants.find((p) => p.rid === rid(9000))?.rttMs).toBeDefined();
    expect(next[1]!.restaurants.filter((p) => inView.includes(p.rid) && p.rttMs !== undefined)).toEqual([]);
    expect(v.problems).toEqual([]);
  }, 30_000);

  it("never lets a manager's interest name a restaurant outside the scope", async () => {
    const source = bigFleet();
    harness = await startLive({ source, tickMs: 100 });
    const mine = [rid(5000), rid(5001)];
    const manager = connectViewer(harness.baseUrl, { token: viewerToken('manager', mine) });
    viewers.push(manager);
    await manager.waitFor((f) => f.type === 'snapshot');
    manager.send({ type: 'interest', rids: [rid(5002), rid(9000), rid(5000), 'no-such-restaurant'] });
    const answer = await manager.waitFor(isFigures);
    expect(answer.restaurants.map((r) => r.rid)).toEqual([rid(5000)]);
    await manager.waitForCount('delta', 5, 5_000, manager.frames.indexOf(answer));
    for (const text of manager.raw) for (const other of [rid(5002), rid(9000), 'no-such-restaurant']) expect(text).not.toContain(other);
    // Only its own rows are patched at full rate; the other one of its scope gets a summary.
    const patched = deltas(manager.frames).flatMap((d) => d.restaurants.filter((p) => p.rttMs !== undefined).map((p) => p.rid));
    expect(new Set(patched)).toEqual(new Set([rid(5000)]));
    expect(manager.problems).toEqual([]);
  }, 30_000);

  it('sends the interest again whole after a resume, whose replayed patches are the shared ones', async () => {
    const source = bigFleet();
    harness = await startLive({ source, tickMs: 100 });
    const v = connectViewer(harness.baseUrl, { token: viewerToken('support') });
    viewers.push(v);
    const snapshot = (await v.waitFor((f) => f.type === 'snapshot', 5_000)) as SnapshotFrame;
    v.send({ type: 'interest', rids: inView.slice(0, 3) });
    await v.waitFor(isFigures);
    await v.waitForCount('delta', 2);
    const mark = v.frames.length;
    v.send({ type: 'resume', epoch: snapshot.epoch, since: snapshot.seq });
    const refill = await v.waitFor((f) => isFigures(f) && f.restaurants.length === 3, 3_000, mark);
    // It follows the replay: its position is the newest delta replayed.
    const replayed = deltas(v.frames.slice(mark, v.frames.indexOf(refill)));
    expect(replayed.length).toBeGreaterThan(0);
    expect(refill.seq).toBe(replayed.at(-1)!.seq);
    expect(v.problems).toEqual([]);
  }, 30_000);
});
