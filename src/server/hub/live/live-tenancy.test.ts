import { afterEach, describe, expect, it } from 'vitest';
import { formatSince, type DeltaFrame, type SnapshotFrame } from '../../../protocol/live.ts';
import { FakeLiveSource, closeEvent, openEvent, sumTotals } from './test-helpers/fake-live-source.ts';
import { connectViewer, startLive, until, viewerToken, type LiveHarness, type TestViewer } from './test-helpers/live-harness.ts';

let harness: LiveHarness | undefined;
const viewers: TestViewer[] = [];
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.close()));
  await harness?.close();
  harness = undefined;
});

const mine = ['r-001', 'r-002'];
const others = ['r-003', 'r-004', 'r-005'];

/** Five restaurants whose figures and events move every tick; terminals are named after them. */
function busyFleet(): FakeLiveSource {
  const source = new FakeLiveSource();
  [...mine, ...others].forEach((rid, i) => source.set(rid, { connections: i + 1, expected: 6 }));
  source.onSample = (n) => {
    for (const rid of [...mine, ...others]) {
      source.set(rid, { connections: (n + rid.charCodeAt(4)) % 7, reconnectsPerMin: n % 3 });
      source.emit(n % 2 ? openEvent(rid, `${rid}-t1`) : closeEvent(rid, `${rid}-t1`));
    }
    // A terminal of r-003 whose id does not name its restaurant: the manager will ask for it.
    source.emit(n % 2 ? openEvent('r-003', 'pos-77') : closeEvent('r-003', 'pos-77'));
    source.emit({ type: 'auth_fail', gw: 'gw-test', t: Date.now(), reason: 'bad_signature', claimedRid: 'r-003', claimedTid: 'r-003-t9' });
    source.emit({ type: 'auth_fail', gw: 'gw-test', t: Date.now(), reason: 'malformed' });
    source.emit({ type: 'limit', gw: 'gw-test', t: Date.now(), rid: 'r-004', tid: 'r-004-t1', conn: 'c', kind: 'rate', detail: 'r-004 flood' });
    if (n === 8) source.remove('r-004');
  };
  return source;
}

function expectNoForeignByte(v: TestViewer): void {
  expect(v.raw.length).toBeGreaterThan(0);
  for (const text of v.raw) for (const rid of others) expect(text, `frame mentions ${rid}`).not.toContain(rid);
}

describe('a manager sees only their restaurants', () => {
  it('receives no byte about another restaurant on any frame, and totals over its restaurants only', async () => {
    const source = busyFleet();
    harness = await startLive({ source });
    const support = connectViewer(harness.baseUrl, { token: viewerToken('support') });
    const manager = connectViewer(harness.baseUrl, { token: viewerToken('manager', mine) });
    viewers.push(support, manager);

    const snapshot = (await manager.waitFor((f) => f.type === 'snapshot')) as SnapshotFrame;
    expect(snapshot.scope).toEqual({ role: 'manager', restaurants: mine });
    expect(snapshot.restaurants.map((r) => r.rid).sort()).toEqual(mine);

    // Every request a manager can make, aimed at the others too.
    await until(() => source.terminalRestaurants('pos-77').includes('r-003'), 3_000, 'pos-77 known');
    manager.send({ type: 'watch_terminal', tid: 'pos-77' });
    const refused = await manager.waitFor((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'NOT_IN_SCOPE', tid: 'pos-77' });
    manager.send({ type: 'watch_terminal', tid: 'unknown-terminal' });
    await manager.waitFor((f) => f.type === 'error' && f.tid === 'unknown-terminal');
    manager.send({ type: 'watch_terminal', tid: 'r-001-t1' });
    manager.send({ type: 'ping', id: 1 });
    await manager.waitForCount('delta', 12, 5_000);
    await manager.waitFor((f) => f.type === 'terminal_events' && !f.initial);

    // Away and back: the replay is cut to the scope too.
    await manager.close();
    const position = manager.stream().at(-1)!;
    await until(() => harness!.live.stats().seq >= position.seq + 4, 3_000, 'ticks while away');
    const back = connectViewer(harness.baseUrl, { token: viewerToken('manager', mine), since: formatSince(position) });
    viewers.push(back);
    await back.waitForCount('delta', 8);
    expect(back.frames[0]!.type).toBe('delta');
    back.send({ type: 'resume', epoch: 'other-epoch', since: 1 }); // answered by a snapshot
    await back.waitFor((f) => f.type === 'snapshot');

    for (const v of [manager, back]) {
      expectNoForeignByte(v);
      expect(v.problems).toEqual([]);
      // The refusal echoes the id the manager sent; nothing else about that terminal arrives.
      expect(v.raw.filter((text) => text.includes('pos-77')).every((text) => text.includes('NOT_IN_SCOPE'))).toBe(true);
      for (const f of v.frames) {
        if (f.type !== 'delta' && f.type !== 'snapshot') continue;
        expect(f.totals.restaurants).toBeLessThanOrEqual(2);
        for (const e of f.events) expect(mine).toContain(e.rid);
      }
    }
    // Totals equal the sum over the manager's restaurants of the figures it was sent.
    const deltas = manager.frames.filter((f): f is DeltaFrame => f.type === 'delta');
    const current = new Map(snapshot.restaurants.map((r) => [r.rid, r]));
    for (const d of deltas) {
      for (const r of d.restaurants) current.set(r.rid, { ...current.get(r.rid)!, ...r });
      expect(d.totals).toEqual(sumTotals(mine.map((rid) => current.get(rid)!)));
    }
    expect(deltas.some((d) => d.restaurants.length > 0 && d.events.length > 0)).toBe(true);

    // The same stream holds the others' data for support: this test would see a leak.
    const supportText = support.raw.join('\n');
    for (const rid of others) expect(supportText).toContain(rid);
    expect(supportText).toContain('"removed":["r-004"]');
  });
});
