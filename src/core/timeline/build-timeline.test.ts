import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, beats, e, read, sec } from './test-helpers/timeline-fixtures.ts';

/** Window 0–600 s, now at its end, unless a case says otherwise. */
function build(events: TimelineEvent[], w: { from?: number; to?: number; now?: number } = {}) {
  return buildTimeline({ events, from: at(w.from ?? 0), to: at(w.to ?? 600), now: at(w.now ?? w.to ?? 600) });
}

describe('buildTimeline: segments', () => {
  const cases: { name: string; events: TimelineEvent[]; w?: { from?: number; to?: number; now?: number }; segments: string[]; codes?: number[] }[] = [
    { name: 'no events: unknown throughout', events: [], segments: ['unknown 0-600…'] },
    {
      name: 'an open, still open at the end',
      events: [e.open(100, 'c1')],
      segments: ['unknown 0-100', 'connected 100-600… c1'],
    },
    {
      name: 'open, close, reopen',
      events: [e.open(100, 'c1'), e.close(160, 'c1', 1006, 60), e.open(163, 'c2')],
      segments: ['unknown 0-100', 'connected 100-160 c1', 'disconnected 160-163 1006', 'connected 163-600… c2'],
      codes: [1006],
    },
    {
      name: 'a connection opened before the window (its open not given): the close says since when',
      events: [e.close(200, 'c1', 4008, 500), e.open(210, 'c2')],
      segments: ['connected 0-200 c1', 'disconnected 200-210 4008', 'connected 210-600… c2'],
      codes: [4008],
    },
    {
      name: 'an open before the window, given: connected from the first millisecond',
      events: [e.open(-100, 'c1')],
      segments: ['connected 0-600… c1'],
    },
    {
      name: 'events before the window do not show, but set the state it starts in',
      events: [e.open(-300, 'c1'), e.close(-200, 'c1', 1006, 100)],
      segments: ['disconnected 0-600… 1006'],
      codes: [],
    },
    {
      name: 'a close after the window whose open is inside: connected to the end, ongoing',
      events: [e.open(100, 'c1'), e.close(900, 'c1', 1000, 800)],
      w: { to: 600, now: 1000 },
      segments: ['unknown 0-100', 'connected 100-600… c1'],
      codes: [],
    },
    {
      name: 'a window reaching into the future stops at now',
      events: [e.open(100, 'c1')],
      w: { to: 600, now: 300 },
      segments: ['unknown 0-100', 'connected 100-300… c1'],
    },
    {
      name: 'out of order and delivered twice: as if in order, once',
      events: [e.open(163, 'c2'), e.close(160, 'c1', 1006, 60), e.open(100, 'c1'), e.close(160, 'c1', 1006, 60), e.open(163, 'c2'), e.open(100, 'c1')],
      segments: ['unknown 0-100', 'connected 100-160 c1', 'disconnected 160-163 1006', 'connected 163-600… c2'],
      codes: [1006],
    },
    {
      name: 'a close arriving before its open in the same millisecond (up 0 ms)',
      events: [e.close(100, 'c1', 1009, 0), e.open(100, 'c1')],
      segments: ['unknown 0-100', 'disconnected 100-600… 1009'],
      codes: [1009],
    },
    {
      name: 'a half-open connection buried late: the newer open ends it, its 4008 overlaps',
      events: [e.open(10, 'c1'), e.open(100, 'c2'), e.close(120, 'c1', 4008, 110)],
      segments: ['unknown 0-10', 'connected 10-100 c1', 'connected 100-600… c2'],
      codes: [4008],
    },
    {
      name: 'refused tokens while disconnected split the gap, each with its 4001',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 4008, 90), e.authFail(103), e.authFail(110), e.open(200, 'c2')],
      segments: ['unknown 0-10', 'connected 10-100 c1', 'disconnected 100-103 4008', 'disconnected 103-110 4001', 'disconnected 110-200 4001', 'connected 200-600… c2'],
      codes: [4008, 4001, 4001],
    },
    {
      name: 'a refused token out of the blue: disconnected from there',
      events: [e.authFail(50, 'bad_signature')],
      segments: ['unknown 0-50', 'disconnected 50-600… 4001'],
      codes: [4001],
    },
    {
      name: 'a connection seen only through heartbeats is connected from the first one',
      events: [e.beat(40, 'c9'), e.beat(55, 'c9')],
      segments: ['unknown 0-40', 'connected 40-600… c9'],
    },
    {
      name: 'a close delivered twice is one disconnect',
      events: [e.open(10, 'c1', 'gw-a'), e.close(20, 'c1', 1006, 10, { gw: 'gw-a' }), e.close(20, 'c1', 1006, 10, { gw: 'gw-a' })],
      segments: ['unknown 0-10', 'connected 10-20 c1', 'disconnected 20-600… 1006'],
      codes: [1006],
    },
  ];

  it.each(cases)('$name', ({ events, w, segments, codes }) => {
    const t = build(events, w);
    expect(read(t).segments).toEqual(segments);
    if (codes) expect(read(t).codes).toEqual(codes);
    // Segments tile the window without gaps or overlaps.
    for (let i = 1; i < t.segments.length; i++) expect(t.segments[i]!.start).toBe(t.segments[i - 1]!.end);
    if (t.segments.length > 0) {
      expect(t.segments[0]!.start).toBe(t.from);
      expect(t.segments.at(-1)!.end).toBe(t.end);
    }
  });

  it('time by state adds up to the window, and the current state says since when', () => {
    const t = build([e.open(-50, 'c1'), e.close(100, 'c1', 1006, 150), e.open(130, 'c2')]);
    expect(t.ms).toEqual({ connected: 570_000, disconnected: 30_000, unknown: 0 });
    expect(t.current).toMatchObject({ state: 'connected', since: at(130), conn: 'c2', by: null });
    const down = build([e.open(10, 'c1'), e.close(100, 'c1', 1011, 90, { reason: 'oops' })]);
    expect(down.current).toMatchObject({ state: 'disconnected', since: at(100), conn: null, by: { code: 1011, cause: 'server_error', reason: 'oops' } });
  });

  it('a limit hit is attached to the close it caused', () => {
    const t = build([e.open(10, 'c1'), e.limit(20, 'c1', 'rate', '41 msgs in 1 s'), e.close(20, 'c1', 1008, 10, { cause: 'rate_limited' })]);
    expect(t.disconnects[0]).toMatchObject({ code: 1008, cause: 'rate_limited', limit: { kind: 'rate', detail: '41 msgs in 1 s' } });
  });
});

describe('buildTimeline: reconnect attempts against the backoff policy', () => {
  const cases: { name: string; events: TimelineEvent[]; attempts: string[] }[] = [
    {
      name: 'after a stable connection: attempt 0, 2–4 s; 0.5 s is too soon',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(100.5, 'c2')],
      attempts: ['open c2 @100.5 #0 +0.5s !'],
    },
    {
      name: 'attempts count up while connections stay short, and the bounds widen',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(103, 'c2'), e.close(105, 'c2', 1006, 2), e.open(107, 'c3'), e.close(108, 'c3', 1006, 1), e.open(120, 'c4')],
      attempts: ['open c2 @103 #0 +3s', 'open c3 @107 #1 +2s', 'open c4 @120 #2 +12s'],
    },
    {
      name: 'within 10 % of the floor is allowed (timer and clock disagree a little)',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(101.85, 'c2'), e.close(102, 'c2', 1006, 0.15), e.open(103.75, 'c3')],
      attempts: ['open c2 @101.85 #0 +1.85s', 'open c3 @103.75 #1 +1.75s !'],
    },
    {
      name: 'a stable connection (≥ 15 s up) resets the count',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(103, 'c2'), e.close(105, 'c2', 1006, 2), e.open(108, 'c3'), e.close(130, 'c3', 1006, 22), e.open(133, 'c4')],
      attempts: ['open c2 @103 #0 +3s', 'open c3 @108 #1 +3s', 'open c4 @133 #0 +3s'],
    },
    {
      name: 'not judged after a heartbeat timeout: the gateway learnt of it ~35 s late',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 4008, 90), e.open(100.3, 'c2')],
      attempts: ['open c2 @100.3 #0 +0.3s ?'],
    },
    {
      name: "not judged after the terminal's own orderly close; refused tokens are attempts and measured",
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1000, 90, { reason: 'token changed' }), e.authFail(100.2), e.authFail(100.7), e.authFail(104)],
      attempts: ['auth_fail @100.2 #0 +0.2s ?', 'auth_fail @100.7 #1 +0.5s !', 'auth_fail @104 #2 +3.3s'],
    },
    {
      name: 'judged after a server going away (1001): the terminal heard it at once',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1001, 90), e.open(101, 'c2')],
      attempts: ['open c2 @101 #0 +1s !'],
    },
    {
      name: 'an overlapping open is an attempt with no delay to judge',
      events: [e.open(10, 'c1'), e.open(100, 'c2'), e.close(120, 'c1', 4008, 110)],
      attempts: ['open c2 @100 #0 ?'],
    },
    {
      name: 'the first open of the window is not an attempt: nothing says what preceded it',
      events: [e.open(10, 'c1')],
      attempts: [],
    },
    {
      name: 'an open inferred from a close is exact, so its attempt is measured',
      events: [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.close(130, 'c2', 1006, 29.5)],
      attempts: ['open c2 @100.5 #0 +0.5s !'],
    },
  ];

  it.each(cases)('$name', ({ events, attempts }) => {
    expect(read(build(events)).attempts).toEqual(attempts);
  });

  it('judges against the policy it is given (a compressed test fleet)', () => {
    const events = [e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(100.35, 'c2'), e.close(100.5, 'c2', 1006, 0.15), e.open(100.75, 'c3')];
    const t = buildTimeline({ events, from: at(0), to: at(600), now: at(600), backoff: { baseMs: 300, capMs: 2000 } });
    expect(read(t).attempts).toEqual(['open c2 @100.35 #0 +0.35s', 'open c3 @100.75 #1 +0.25s !']);
    expect(t.attempts.map((a) => [a.minMs, a.maxMs])).toEqual([
      [300, 600],
      [300, 1200],
    ]);
  });

  it('reports the policy bounds of each attempt', () => {
    const t = build([e.open(10, 'c1'), e.close(100, 'c1', 1006, 90), e.open(103, 'c2'), e.close(104, 'c2', 1006, 1), e.open(110, 'c3')]);
    expect(t.attempts.map((a) => [a.attempt, a.minMs, a.maxMs, a.afterCode])).toEqual([
      [0, 2000, 4000, 1006],
      [1, 2000, 8000, 1006],
    ]);
  });

  it('with heartbeat samples, a connection with no heartbeat never counts as stable (the socket waits for a pong)', () => {
    const events = [e.open(10, 'c1'), ...beats('c1', 25, 100), e.close(100, 'c1', 1006, 90), e.open(103, 'c2'), e.close(125, 'c2', 1006, 22), e.open(130, 'c3')];
    expect(read(build(events)).attempts).toEqual(['open c2 @103 #0 +3s', 'open c3 @130 #1 +5s']);
  });

  it('only attempts inside the window are listed, measured from a close before it', () => {
    const t = build([e.open(-100, 'c1'), e.close(-1, 'c1', 1006, 99), e.open(0.5, 'c2')]);
    expect(read(t).attempts).toEqual(['open c2 @0.5 #0 +1.5s !']);
    expect(sec(t.segments[0]!.start)).toBe(0);
  });
});
