/**
 * The issue's scripted terminal, in core: a drop (1006), a silent half-open connection buried by
 * the gateway (4008), a reconnect with an expired token (4001) that gives up, a fresh start, then a
 * phase that ignores the backoff (reconnecting 250 ms after each drop), with a few late heartbeats.
 * Delivered shuffled and partly twice, as at-least-once delivery from several frames may.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../clock.ts';
import { buildTimeline } from './build-timeline.ts';
import { diagnose } from './diagnose.ts';
import { toCsv } from './timeline-export.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, cellText, e, read, utcClock } from './test-helpers/timeline-fixtures.ts';

const FAST_DROPS = 10;

function script(): TimelineEvent[] {
  const events: TimelineEvent[] = [
    e.open(-600, 'c1'),
    // On-time pings are only counted by the probe; the late ones travel raw.
    e.late(300, 'c1', 21, 35),
    e.close(600, 'c1', 1006, 1200),
    e.open(603, 'c2'),
    e.close(1493, 'c2', 4008, 890, { reason: 'Heartbeat timeout' }),
    e.authFail(1496, 'expired'),
    e.open(2400, 'c3'),
    e.late(2700, 'c3', 30, 40),
  ];
  let up = 600;
  for (let k = 0; k < FAST_DROPS; k++) {
    const dropAt = 3000 + k * 1.25;
    events.push(e.close(dropAt, `c${3 + k}`, 1006, up), e.open(dropAt + 0.25, `c${4 + k}`));
    up = 1;
  }
  return events;
}

function delivered(events: TimelineEvent[]): TimelineEvent[] {
  const random = seededRandom(5);
  const out = [...events, ...events.filter(() => random() < 0.3)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('the scripted terminal', () => {
  const from = at(0);
  const to = at(3600);
  const timeline = buildTimeline({ events: delivered(script()), from, to, now: to });

  it('shows exactly those disconnects, with those codes, in order', () => {
    const codes = read(timeline).codes;
    expect(codes.slice(0, 3)).toEqual([1006, 4008, 4001]);
    expect(codes).toEqual([1006, 4008, 4001, ...Array<number>(FAST_DROPS).fill(1006)]);
    expect(read(timeline).segments.slice(0, 7)).toEqual([
      'connected 0-600 c1',
      'disconnected 600-603 1006',
      'connected 603-1493 c2',
      'disconnected 1493-1496 4008',
      'disconnected 1496-2400 4001',
      'connected 2400-3000 c3',
      'disconnected 3000-3000.25 1006',
    ]);
  });

  it('judges the attempts: the early ones kept the policy, every fast one broke it', () => {
    const attempts = read(timeline).attempts;
    expect(attempts.slice(0, 4)).toEqual(['open c2 @603 #0 +3s', 'auth_fail @1496 #0 +3s ?', 'open c3 @2400 #1 +904s', 'open c4 @3000.25 #0 +0.25s !']);
    expect(timeline.attempts.slice(3).every((a) => a.flags.includes('backoff_not_respected'))).toBe(true);
    expect(timeline.attempts.slice(3).map((a) => a.attempt)).toEqual(Array.from({ length: FAST_DROPS }, (_, i) => i));
  });

  it('the heartbeat strip shows the silence before the 4008 as missed', () => {
    const around = timeline.heartbeats.cells.filter((c) => c.conn === 'c2' && c.end > at(1450));
    expect(around.map((c) => c.status)).toEqual(['on_time', 'missed', 'missed']);
  });

  it('the heartbeat strip places each late record once, and the rest of each connection on time', () => {
    const bad = timeline.heartbeats.cells.filter((c) => c.status !== 'on_time').map((c) => `${c.conn} ${cellText(c)}`);
    expect(bad).toEqual([
      'c1 279-300 late',
      // Its ping was due by 590, but the drop at 600 came before a late ping or a 4008 could say
      // whether it came (by 605); the interval running at the drop is no cell.
      'c1 570-585 unknown',
      'c2 1458-1473 missed',
      'c2 1473-1488 missed',
      'c3 2670-2685 missed',
      'c3 2685-2700 late',
      'c3 2970-2985 unknown',
    ]);
  });

  it('the report names token rejected, heartbeat missing and backoff not respected', () => {
    const report = diagnose(timeline, to, { formatTime: utcClock });
    const texts = report.issues.map((i) => i.text);
    expect(report.issues.map((i) => i.code)).toEqual(['token_rejected', 'heartbeat_missing', 'backoff_not_respected', 'abnormal_closes', 'heartbeats_late']);
    expect(texts.slice(0, 3)).toEqual([
      'token rejected (4001) 1× since 19:24',
      'heartbeat missing: 1 timeout (4008) in the last hour',
      'backoff not respected: retried after 0.3 s, policy says ≥ 2 s (10× since 19:50)',
    ]);
    expect(report).toMatchObject({ state: 'connected', since: at(3000 + (FAST_DROPS - 1) * 1.25 + 0.25), reconnectAttempts: 3 + FAST_DROPS, attemptsTooSoon: FAST_DROPS });
  });

  it('exports one CSV row per lifecycle event in the window', () => {
    const inWindow = script().filter((x) => x.type !== 'heartbeat' && x.t >= from && x.t < to);
    const lines = toCsv(delivered(script()), { from, to }).trimEnd().split('\r\n');
    expect(lines.length - 1).toBe(inWindow.length);
    expect(timeline.events).toHaveLength(inWindow.length);
  });
});
