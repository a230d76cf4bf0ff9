import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../../core/timeline/build-timeline.ts';
import { findIssues } from '../../../../core/timeline/timeline-issues.ts';
import { decodeAnswer, eventsPageAnswerSchema } from '../../../../protocol/api.ts';
import type { LiveEvent } from '../../../../protocol/live.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { eventsPage, restaurantAnswer, terminalWire } from '../../../../protocol/test-helpers/api-fixtures.ts';
import { addPoll, emptyBeatLog, openFromStatus, statusOf, withConnNames, type BeatLog, type TerminalStatus } from './beat-log.ts';
import { eventsPageOf, joinPages, liveEventsOf } from './terminal-events.ts';
import { readWindow, resolveWindow, withWindow } from './terminal-window.ts';
import { attemptTicks, barShapes, stripShapes } from './bar-shapes.ts';
import { attemptWords, disconnectRows, disconnectWords, segmentTitle, stripRuns } from './timeline-words.ts';

const T0 = Date.UTC(2026, 10, 26, 19, 0, 0);
const at = (s: number): number => T0 + s * 1000;
const open = (s: number, conn: string): LifecycleEvent => ({ type: 'open', gw: 'gw-1', t: at(s), rid: 'r-001', tid: 't1', conn, via: 'subprotocol' });
const close = (s: number, conn: string, code: number, upS: number, reason = ''): LifecycleEvent => ({
  type: 'close',
  gw: 'gw-1',
  t: at(s),
  rid: 'r-001',
  tid: 't1',
  conn,
  code,
  cause: code === 1006 ? 'abnormal_close' : code === 4008 ? 'heartbeat_timeout' : 'server_error',
  reason,
  byServer: code !== 1006,
  durationMs: upS * 1000,
});

describe('terminal window in the URL', () => {
  it.each([
    { query: '', kind: '1h' },
    { query: 'window=15m', kind: '15m' },
    { query: 'window=24h', kind: '24h' },
    { query: 'window=7y', kind: '1h' },
    { query: 'window=constructor', kind: '1h' },
    { query: 'from=2026-11-26T19:40:00Z&to=2026-11-26T20:40:00Z', kind: 'custom' },
    { query: `from=${at(0)}&to=${at(60)}`, kind: 'custom' },
    { query: 'from=2026-11-26T20:40:00Z&to=2026-11-26T19:40:00Z', kind: '1h' },
    { query: 'from=2026-11-01T00:00:00Z&to=2026-11-26T00:00:00Z', kind: '1h' },
    { query: 'from=garbage&to=2026-11-26T20:40:00Z&window=24h', kind: '24h' },
  ])('?$query → $kind', ({ query, kind }) => {
    expect(readWindow(new URLSearchParams(query)).kind).toBe(kind);
  });

  it('round-trips through the URL; the default stays out of it', () => {
    const custom = { kind: 'custom' as const, from: Date.UTC(2026, 10, 26, 19, 40), to: Date.UTC(2026, 10, 26, 20, 40) };
    const params = withWindow(new URLSearchParams('window=24h&x=1'), custom);
    expect(params.toString()).toBe('x=1&from=2026-11-26T19%3A40%3A00Z&to=2026-11-26T20%3A40%3A00Z');
    expect(readWindow(params)).toEqual(custom);
    expect(withWindow(params, { kind: '1h' }).toString()).toBe('x=1');
    expect(withWindow(params, { kind: '15m' }).toString()).toBe('x=1&window=15m');
  });

  it('a relative window ends now and is live; a past custom one is not', () => {
    expect(resolveWindow({ kind: '15m' }, at(900))).toEqual({ from: at(0), to: at(900), live: true });
    expect(resolveWindow({ kind: 'custom', from: at(0), to: at(60) }, at(100)).live).toBe(false);
  });
});

describe('events from the API and the live feed', () => {
  it('reads a page and joins pages; an event that breaks the contract fails the page, naming it', () => {
    const page = eventsPageOf(eventsPageAnswerSchema.parse(eventsPage({ tid: 't1', rid: 'r-001', from: at(0), to: at(60), more: true, events: [open(1, 'c1'), close(5, 'c1', 1006, 4)] })));
    expect(page).toMatchObject({ tid: 't1', rid: 'r-001', more: true });
    expect(page.events.map((e) => e.type)).toEqual(['open', 'close']);
    expect(joinPages([page, { ...page, to: at(90), more: false, events: [open(70, 'c2')] }])).toMatchObject({ from: at(0), to: at(90), more: false });
    const broken = decodeAnswer(eventsPageAnswerSchema, eventsPage({ events: [open(1, 'c1'), { type: 'open', t: 'x' } as unknown as LifecycleEvent] }));
    expect(broken.ok === false && broken.error.message).toMatch(/events\.1/);
    expect(eventsPageOf(eventsPage()).policy).toMatchObject({ heartbeatIntervalMs: 15_000, backoffBaseMs: 2000, backoffCapMs: 64_000 });
    const compressed = { heartbeatIntervalMs: 1000, graceMs: 500, stableAfterMs: 1000, backoffBaseMs: 300, backoffCapMs: 2000 };
    expect(eventsPageOf(eventsPageAnswerSchema.parse(eventsPage({ policy: compressed }))).policy).toEqual(compressed);
    expect(decodeAnswer(eventsPageAnswerSchema, eventsPage({ policy: { ...compressed, backoffCapMs: -1 } })).ok).toBe(false);
    // The gateway's record of a late heartbeat is a lifecycle event like the others.
    const late: LifecycleEvent = { type: 'heartbeat_late', gw: 'gw-1', t: at(20), rid: 'r-001', tid: 't1', conn: 'c1', gapMs: 1800, rtt: 12 };
    expect(eventsPageAnswerSchema.parse(eventsPage({ events: [late] })).events).toEqual([late]);
    expect(decodeAnswer(eventsPageAnswerSchema, eventsPage({ events: [late, { ...late, gapMs: -1 }] })).ok).toBe(false);
  });

  it("takes this terminal's live events newer than the fetch", () => {
    const live: LiveEvent[] = [
      { type: 'open', id: 1, gw: 'gw-1', t: at(10), rid: 'r-001', tid: 't1', conn: 'c1' },
      { type: 'open', id: 2, gw: 'gw-1', t: at(70), rid: 'r-001', tid: 't2', conn: 'c9' },
      { type: 'auth_fail', id: 3, gw: 'gw-1', t: at(80), reason: 'expired', tid: 't1' },
      { type: 'close', id: 4, gw: 'gw-1', t: at(90), rid: 'r-001', tid: 't1', conn: 'c1', code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 80_000 },
    ];
    const got = liveEventsOf(
      't1',
      live.map((event) => ({ event })),
      at(60),
    );
    expect(got.map((e) => [e.type, e.t])).toEqual([
      ['auth_fail', at(80)],
      ['close', at(90)],
    ]);
    expect(got[1]).not.toHaveProperty('id');
    // Once the hub named the terminal's restaurant, a refusal claiming the same till id elsewhere is not this terminal's.
    const elsewhere: LiveEvent = { type: 'auth_fail', id: 5, gw: 'gw-1', t: at(95), reason: 'bad_signature', rid: 'r-002', tid: 't1' };
    const mine: LiveEvent = { type: 'auth_fail', id: 6, gw: 'gw-1', t: at(96), reason: 'bad_signature', rid: 'r-001', tid: 't1' };
    expect(liveEventsOf('t1', [elsewhere, mine].map((event) => ({ event })), at(60), 'r-001').map((e) => e.t)).toEqual([at(96)]);
  });

  it("leaves out another restaurant's terminal of the same id (a terminal is (rid, tid), issue 18 item 3)", () => {
    const theirs: LiveEvent = { type: 'open', id: 7, gw: 'gw-1', t: at(97), rid: 'r-002', tid: 't1', conn: 'c2' };
    const ours: LiveEvent = { type: 'open', id: 8, gw: 'gw-1', t: at(98), rid: 'r-001', tid: 't1', conn: 'c3' };
    expect(liveEventsOf('t1', [theirs, ours].map((event) => ({ event })), at(60), 'r-001').map((e) => e.t)).toEqual([at(98)]);
  });
});

describe('heartbeats collected from polls', () => {
  const rules = { intervalMs: 15_000, graceMs: 5000 };
  const status = (beatS: number | null, sinceS: number | null = 0, rtt: number | null = 40): TerminalStatus => ({
    connectedSince: sinceS === null ? null : at(sinceS),
    lastHeartbeatAt: beatS === null ? null : at(beatS),
    rttMs: rtt,
  });
  const run = (polls: [number, TerminalStatus | null][]): BeatLog => polls.reduce((log, [s, st]) => addPoll(log, st, at(s), rules), emptyBeatLog);

  it('one sample per new heartbeat, late when the gap was watched and too long', () => {
    const log = run([
      [100, status(95)],
      [105, status(95)],
      [110, status(110)],
      [115, status(110)],
      [120, status(110)],
      [125, status(110)],
      [133, status(133, 0, null)],
    ]);
    expect(log.samples.map((s) => [s.t, s.onTime, s.rtt])).toEqual([
      [at(95), true, 40],
      [at(110), true, 40],
      [at(133), false, undefined],
    ]);
    expect(log.since).toBe(at(100));
  });

  it('a stretch without polls moves `since` on, and its gap is not judged', () => {
    const log = run([
      [100, status(95)],
      [200, status(199)],
    ]);
    expect(log.since).toBe(at(200));
    expect(log.samples.map((s) => s.onTime)).toEqual([true, true]);
  });

  it('a disconnected terminal logs nothing', () => {
    expect(run([[100, status(95, null)]]).samples).toEqual([]);
  });

  it('reads the row from the restaurant answer and vouches for an open before the events', () => {
    const raw = restaurantAnswer([terminalWire('t0'), terminalWire('t1', { connectedSince: at(-500), lastHeartbeatAt: at(-2), rttMs: 31 })]);
    const st = statusOf(raw, 't1');
    expect(st).toEqual({ connectedSince: at(-500), lastHeartbeatAt: at(-2), rttMs: 31 });
    expect(statusOf(raw, 'nope')).toBeNull();
    expect(openFromStatus(st, [], 't1', 'r-001')).toMatchObject({ type: 'open', t: at(-500), conn: `live-${at(-500)}` });
    expect(openFromStatus(st, [open(-500, 'c7')], 't1', 'r-001')).toBeNull();
    const log = addPoll(emptyBeatLog, st, at(0), rules);
    expect(withConnNames(log.samples, [open(-500, 'c7')]).map((x) => x.conn)).toEqual(['c7']);
    expect(withConnNames(log.samples, []).map((x) => x.conn)).toEqual([`live-${at(-500)}`]);
  });
});

describe('timeline in words', () => {
  const events = [open(10, 'c1'), close(100, 'c1', 1006, 90, 'gone'), open(100.5, 'c2'), close(200, 'c2', 1011, 99.5), open(203, 'c3'), open(300, 'c4'), close(320, 'c3', 4008, 117)];
  const timeline = buildTimeline({ events, from: at(0), to: at(600), now: at(600) });

  it('pairs each disconnect with the attempt that followed it', () => {
    const rows = disconnectRows(timeline);
    expect(rows.map((r) => [r.d.code, r.downMs, r.next?.t ?? null])).toEqual([
      [1006, 500, at(100.5)],
      [1011, 3000, at(203)],
      [4008, null, null],
    ]);
  });

  it('says what happened', () => {
    expect(disconnectWords(timeline.disconnects[0]!)).toBe('1006 abnormal close, by the terminal — gone');
    expect(attemptWords(timeline.attempts[0]!)).toBe('Reconnected after 0.5 s (attempt 1, policy 2 s–4 s): too soon');
    expect(attemptWords(timeline.attempts[2]!)).toBe('Reconnected while the gateway still held the old connection');
    expect(segmentTitle(timeline.segments[2]!)).toMatch(/^Disconnected .* \(0 s\): 1006 abnormal close, by the terminal — gone$/);
  });

  it('shows a refused token that claimed the terminal as such, and the report still counts it', () => {
    // As the hub answers a fleet-wide viewer: the refusal is stored under no terminal, found by its claims.
    const refused: LifecycleEvent = { type: 'auth_fail', gw: 'gw-1', t: at(150), reason: 'bad_signature', claimedRid: 'r-001', claimedTid: 't1' };
    const answer = eventsPageAnswerSchema.parse(eventsPage({ events: [open(10, 'c1'), close(100, 'c1', 1006, 90), refused, open(160, 'c2')], unverifiedClaims: true }));
    expect(answer.unverifiedClaims).toBe(true);
    const page = eventsPageOf(answer);
    const built = buildTimeline({ events: page.events, from: at(0), to: at(600), now: at(600) });
    const d = built.disconnects.find((x) => x.source === 'auth_fail')!;
    expect(disconnectWords(d)).toBe('4001 token refused (bad signature) — unverified claims');
    expect(findIssues(built, at(600), () => 'then').find((i) => i.code === 'token_rejected')?.text).toMatch(/^token rejected \(4001\) 1× since/);
  });

  it('merges neighbouring heartbeat cells of one status into runs', () => {
    const runs = stripRuns([
      { start: 0, end: 15, conn: 'a', status: 'on_time' },
      { start: 15, end: 30, conn: 'a', status: 'on_time' },
      { start: 30, end: 45, conn: 'a', status: 'missed' },
      { start: 60, end: 75, conn: 'b', status: 'missed' },
    ]);
    expect(runs.map((r) => [r.start, r.end, r.status, r.cells])).toEqual([
      [0, 30, 'on_time', 2],
      [30, 45, 'missed', 1],
      [60, 75, 'missed', 1],
    ]);
  });
});

describe('connection bar shapes', () => {
  const day = Array.from({ length: 2500 }, (_, i) => [open(i * 34.56, `c${i}`), close(i * 34.56 + 20, `c${i}`, 1006, 20)]).flat();
  const t = buildTimeline({ events: day, from: at(0), to: at(86_400), now: at(86_400) });

  it('a flapping day is at most one shape per unit, and every disconnect is counted in a title', () => {
    const shapes = barShapes(t.segments, t.from, t.end, 1000);
    expect(t.segments.length).toBe(5000);
    expect(shapes.length).toBeLessThanOrEqual(1000);
    const counted = shapes.reduce((n, s) => n + Number(/: (\d+) disconnects?/.exec(s.title)?.[1] ?? (s.state === 'disconnected' ? 1 : 0)), 0);
    expect(counted).toBe(2500);
    // Shapes tile the bar.
    expect(shapes[0]!.x).toBe(0);
    expect(shapes.at(-1)!.x + shapes.at(-1)!.width).toBeCloseTo(1000);
  });

  it('a lone short disconnect keeps its own shape and title; attempts bin per unit', () => {
    const few = buildTimeline({ events: [open(0, 'c1'), close(1800, 'c1', 1006, 1800), open(1800.5, 'c2')], from: at(0), to: at(3600), now: at(3600) });
    const shapes = barShapes(few.segments, few.from, few.end, 1000);
    expect(shapes.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
    expect(shapes[1]!.title).toMatch(/^Disconnected .*: 1006 abnormal close, by the terminal$/);
    const ticks = attemptTicks(t.attempts, t.from, t.end, 1000);
    expect(ticks.length).toBeLessThanOrEqual(1000);
    expect(ticks.some((k) => / reconnect attempts/.test(k.title))).toBe(true);
  });
});

describe('heartbeat strip shapes', () => {
  it('narrow runs merge, the worst status shows and the title counts them', () => {
    const cells = Array.from({ length: 5760 }, (_, i) => ({ start: at(i * 15), end: at(i * 15 + 15), conn: 'c', status: i % 7 === 0 ? ('missed' as const) : ('on_time' as const) }));
    const shapes = stripShapes(stripRuns(cells), at(0), at(86_400), 1000);
    expect(shapes.length).toBeLessThanOrEqual(1000);
    expect(shapes[0]).toMatchObject({ status: 'missed' });
    expect(shapes[0]!.title).toMatch(/: \d+ missed, \d+ on time$/);
  });
});
