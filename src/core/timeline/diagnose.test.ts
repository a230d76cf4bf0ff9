import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import { diagnose } from './diagnose.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, beats, e, RID, TID, utcClock } from './test-helpers/timeline-fixtures.ts';

function report(events: TimelineEvent[], w: { from?: number; to?: number; now?: number } = {}, reportNow?: number) {
  const now = at(w.now ?? w.to ?? 3600);
  const t = buildTimeline({ events, from: at(w.from ?? 0), to: at(w.to ?? 3600), now });
  return diagnose(t, reportNow === undefined ? now : at(reportNow), { formatTime: utcClock });
}

describe('diagnose: figures and words', () => {
  it('a healthy terminal', () => {
    const events = [e.open(-600, 'c1'), ...beats('c1', -585, 3600, 15, 40), e.ack(100, 'c1', 80), e.ack(200, 'c1', 120, 2), e.traffic(10, 'c1'), e.traffic(11, 'c1', 'out')];
    const r = report(events, {}, 3604);
    expect(r).toMatchObject({
      state: 'connected',
      since: at(-600),
      uptimeMs: 4_200_000,
      stability: 1,
      reconnectAttempts: 0,
      lastHeartbeatAt: at(3585),
      lastHeartbeatAgoMs: 19_000,
      rtt: { mean: 40, p95: 40 },
      latency: { mean: 100, p95: 120, count: 2 },
      issues: [],
    });
    expect(r.messagesPerSecond).toBeCloseTo(2 / 3600);
    expect(r.lines).toEqual([
      'Connected for 1 h 10 min, since 18:50.',
      'Connected 100 % of the window; 0 reconnect attempts.',
      'Last heartbeat 19 s ago.',
      'Heartbeat RTT avg 40 ms, p95 40 ms; delivery latency avg 100 ms, p95 120 ms.',
      '0.00 messages/s while connected.',
      'No issues found.',
    ]);
  });

  it('disconnected, with the close that did it', () => {
    const r = report([e.open(100, 'c1'), e.close(1900, 'c1', 1011, 1800, { reason: 'boom' })]);
    // No late record and no 4008: its pings were on time up to the last settled interval (100 + 118 × 15 s).
    expect(r).toMatchObject({ state: 'disconnected', since: at(1900), uptimeMs: null, lastHeartbeatAt: at(1870) });
    // The first 100 s are unknown: stability is the share of the known time.
    expect(r.stability).toBeCloseTo(1800 / 3500);
    expect(r.lines.slice(0, 3)).toEqual(['Disconnected for 28 min 20 s, since 19:31: server error (1011, "boom").', 'Connected 51.4 % of the window; 0 reconnect attempts.', 'Last heartbeat 28 min 50 s ago.']);
    expect(r.issues).toEqual([{ code: 'server_errors', count: 1, firstAt: at(1900), lastAt: at(1900), text: 'server errors (1011) 1×' }]);
  });

  it('nothing known', () => {
    const r = report([]);
    expect(r).toMatchObject({ state: 'unknown', since: null, stability: null, messagesPerSecond: null });
    expect(r.lines[0]).toBe('State unknown: no connection events tell it.');
    expect(r.lines[1]).toBe('Stability unknown; 0 reconnect attempts.');
  });

  it('a past window says so', () => {
    const r = report([e.open(100, 'c1')], { to: 1800, now: 7200 });
    expect(r.lines[0]).toBe('At 19:30, the end of the window: connected for 28 min 20 s, since 19:01.');
  });
});

describe('diagnose: issues', () => {
  const cases: { name: string; events: TimelineEvent[]; to?: number; issues: [string, number, string][] }[] = [
    {
      name: 'refused tokens',
      events: [e.open(100, 'c1'), e.close(2400, 'c1', 1000, 2300), e.authFail(2405), e.authFail(2415), e.authFail(2450)],
      issues: [['token_rejected', 3, 'token rejected (4001) 3× since 19:40']],
    },
    {
      name: 'heartbeat timeouts',
      events: [
        e.open(0, 'c1'),
        e.close(600, 'c1', 4008, 600),
        e.open(610, 'c2'),
        e.close(1200, 'c2', 4008, 590),
        e.open(1210, 'c3'),
        e.close(1800, 'c3', 4008, 590),
        e.open(1810, 'c4'),
        e.close(2400, 'c4', 4008, 590),
        e.open(2410, 'c5'),
      ],
      issues: [
        ['heartbeat_missing', 4, 'heartbeat missing: 4 timeouts (4008) in the last hour'],
        // Each timeout's last two intervals went unanswered; the rest of each connection was on time.
        ['heartbeats_late', 8, 'heartbeats late or missed in 8 of 235 intervals (3.4 %)'],
      ],
    },
    {
      name: 'a retry too soon',
      events: [e.open(0, 'c1'), e.close(100, 'c1', 1006, 100), e.open(100.5, 'c2')],
      issues: [['backoff_not_respected', 1, 'backoff not respected: retried after 0.5 s, policy says ≥ 2 s'], ['abnormal_closes', 1, 'abnormal closes (1006) 1×: the connection dropped without a close frame']],
    },
    {
      name: 'many retries too soon: the worst is quoted',
      events: [e.open(0, 'c1'), e.close(100, 'c1', 1011, 100), e.open(101, 'c2'), e.close(102, 'c2', 1011, 1), e.open(102.25, 'c3')],
      issues: [['backoff_not_respected', 2, 'backoff not respected: retried after 0.3 s, policy says ≥ 2 s (2× since 19:01)'], ['server_errors', 2, 'server errors (1011) 2×']],
    },
    {
      name: 'limits: too large, rate limited, invalid',
      events: [
        e.open(0, 'c1'),
        e.close(100, 'c1', 1009, 100),
        e.open(110, 'c2'),
        e.close(200, 'c2', 1009, 90),
        e.open(210, 'c3'),
        e.close(300, 'c3', 1008, 90, { cause: 'rate_limited' }),
        e.open(310, 'c4'),
        e.close(400, 'c4', 1008, 90),
        e.open(410, 'c5'),
        e.close(500, 'c5', 4003, 90),
      ],
      issues: [
        ['forbidden', 1, 'forbidden (4003) 1× since 19:08'],
        ['frames_too_large', 2, 'frames too large (1009) 2×'],
        ['rate_limited', 1, 'rate limited (1008) 1×'],
        ['invalid_messages', 1, 'invalid messages (1008) 1×'],
      ],
    },
    {
      name: 'late and missed heartbeats',
      // On time to 3015, late at 3037, then a gap of two intervals: one missed and a late ping.
      events: [e.open(3000, 'c1'), e.late(3037, 'c1', 22), e.late(3067, 'c1', 30)],
      to: 3080,
      issues: [['heartbeats_late', 3, 'heartbeats late or missed in 3 of 4 intervals (75.0 %)']],
    },
    {
      name: 'a terminal reporting implausible round trips (issue 18, item 1): counted per ping, its reports in no RTT figure',
      events: [
        e.open(0, 'c1'),
        ...beats('c1', 15, 3600, 15, 40),
        { type: 'rtt_implausible', gw: 'gw-1', t: at(600.2), rid: RID, tid: TID, conn: 'c1', rtt: -3, count: 1 },
        { type: 'rtt_implausible', gw: 'gw-1', t: at(1200.5), rid: RID, tid: TID, conn: 'c1', rtt: 1e9, count: 2 },
      ],
      issues: [['implausible_rtt', 3, 'reports implausible RTT in 3 pings since 19:10 (last: 1.0e+9 ms), left out of the RTT figures']],
    },
    {
      name: 'orderly closes are no issue',
      events: [e.open(0, 'c1'), e.close(100, 'c1', 1000, 100), e.open(1000, 'c2')],
      issues: [],
    },
  ];

  it.each(cases)('$name', ({ events, to, issues }) => {
    const r = report(events, to === undefined ? {} : { to });
    expect(r.issues.map((i) => [i.code, i.count, i.text])).toEqual(issues);
  });

  it('between two times when the window is in the past', () => {
    const r = report([e.open(0, 'c1'), e.close(600, 'c1', 4008, 600)], { to: 1800, now: 7200 });
    expect(r.issues[0]!.text).toBe('heartbeat missing: 1 timeout (4008) between 19:00 and 19:30');
  });
});
