import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FakeClock } from '../../core/fake-clock.ts';
import { fakeSocketFactory } from '../../client/test-helpers/fake-socket.ts';
import { maxInterestRids } from '../../protocol/live.ts';
import { interestIntervalMs, startLiveConnection } from './live-connection.ts';
import { emptyLiveData, type LiveData } from './live-data.ts';
import { isLive, noInterest, withInterest } from './live-interest.ts';
import { applyFrames } from './live-reducer.ts';
import { createLiveStore } from './live-store.ts';
import { delta, figures, snapshot } from './test-helpers/live-fixtures.ts';

const rid = (i: number): string => `r-${String(i).padStart(5, '0')}`;
const fleet = Array.from({ length: 10_000 }, (_, i) => figures(rid(i), { rttMs: { p50: 10, p95: 20, p99: 30 } }));
const declare = (data: LiveData, key: string, rids: string[] | null): LiveData => ({ ...data, interest: withInterest(data.interest, key, rids) });

describe('live interest (model)', () => {
  it('is the union of what the views declare, bounded, and everything is live until one declares', () => {
    expect(noInterest.rids).toBeNull();
    expect(isLive(emptyLiveData(), 'r-1')).toBe(true);
    let s = withInterest(noInterest, 'list', ['a', 'b']);
    s = withInterest(s, 'page', ['b', 'c']);
    expect(s.rids).toEqual(['a', 'b', 'c']);
    s = withInterest(s, 'list', null);
    expect(s.rids).toEqual(['b', 'c']);
    // Every view gone: an empty interest, not "everything" (the hub already sends summaries).
    expect(withInterest(s, 'page', null).rids).toEqual([]);
    const many = withInterest(noInterest, 'list', Array.from({ length: 100 }, (_, i) => rid(i)));
    expect(many.rids).toHaveLength(maxInterestRids);
  });

  it('a row scrolled into view is not live until the hub answers with its current figures, then shows them', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(10, { restaurants: fleet })], 0);
    data = declare(data, 'list', [rid(5000), rid(5001)]);
    expect(isLive(data, rid(5000))).toBe(false);
    const fresh = figures(rid(5000), { rttMs: { p50: 11, p95: 99, p99: 120 } });
    data = applyFrames(data, [{ type: 'figures', epoch: 'e1', seq: 10, restaurants: [fresh] }], 1);
    expect(isLive(data, rid(5000))).toBe(true);
    expect(isLive(data, rid(5001))).toBe(false);
    expect(data.restaurants.get(rid(5000))?.rttMs?.p95).toBe(99);
    // Scrolled away: not live any more, whatever the hub still sends.
    data = declare(data, 'list', [rid(5001)]);
    expect(isLive(data, rid(5000))).toBe(false);
  });

  it('drops figures that do not follow the position they were cut at, and forgets liveness on a snapshot', () => {
    let data = declare(applyFrames(emptyLiveData(), [snapshot(10, { restaurants: fleet })], 0), 'list', [rid(1)]);
    data = applyFrames(data, [delta(11), { type: 'figures', epoch: 'e1', seq: 10, restaurants: [figures(rid(1), { connections: 1 })] }], 1);
    expect(isLive(data, rid(1))).toBe(false);
    expect(data.restaurants.get(rid(1))?.connections).toBe(4);
    data = applyFrames(data, [{ type: 'figures', epoch: 'e1', seq: 11, restaurants: [figures(rid(1))] }], 2);
    expect(isLive(data, rid(1))).toBe(true);
    data = applyFrames(data, [snapshot(20, { restaurants: fleet })], 3);
    expect(isLive(data, rid(1))).toBe(false);
  });
});

describe('live interest (connection)', () => {
  function setup() {
    const clock = new FakeClock();
    const fakes = fakeSocketFactory(() => clock.now());
    const store = createLiveStore();
    const conn = startLiveConnection({
      store,
      url: 'ws://hub.test/live',
      token: 'jwt',
      createSocket: fakes.factory,
      clock,
      random: seededRandom(1),
      schedule: (fn) => {
        fn();
        return () => {};
      },
      onRefused: () => {},
    });
    const interests = (): string[][] => fakes.last().sent.filter((m) => m.includes('"interest"')).map((m) => (JSON.parse(m) as { rids: string[] }).rids);
    const set = (rids: string[]): void => store.setState((s) => ({ interest: withInterest(s.interest, 'list', rids) }));
    return { clock, fakes, store, conn, interests, set };
  }

  it('sends nothing until a view declares, then each change at most every interestIntervalMs, the last one always', () => {
    const t = setup();
    t.fakes.last().fireOpen('pulse.live.v2');
    expect(t.interests()).toEqual([]);
    t.set(['a']);
    t.set(['b']);
    t.set(['c']);
    expect(t.interests()).toEqual([['a']]);
    t.clock.advance(interestIntervalMs);
    expect(t.interests()).toEqual([['a'], ['c']]);
    t.conn.dispose();
  });

  it('sends the interest again on a new connection: the hub forgets it with the socket', () => {
    const t = setup();
    t.fakes.last().fireOpen('pulse.live.v2');
    t.set(['a', 'b']);
    t.fakes.last().fireClose(1006);
    t.clock.advance(10_000);
    t.fakes.last().fireOpen('pulse.live.v2');
    expect(t.interests()).toEqual([['a', 'b']]);
    t.conn.dispose();
  });
});
