/**
 * The terminal view's pieces rendered to HTML from a known timeline (no DOM needed): the report
 * names the issues, the table has one row per disconnect, terminal-provided text stays text.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../../core/timeline/build-timeline.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { ConnectionBar } from './connection-bar.tsx';
import { DiagnosticReport } from './diagnostic-report.tsx';
import { DisconnectList } from './disconnect-list.tsx';
import { HeartbeatStripView } from './heartbeat-strip-view.tsx';

const T0 = Date.UTC(2026, 10, 26, 19, 0, 0);
const at = (s: number): number => T0 + s * 1000;
const who = { gw: 'gw-1', rid: 'r-001', tid: 't1' };
const open = (s: number, conn: string): LifecycleEvent => ({ type: 'open', ...who, t: at(s), conn, via: 'subprotocol' });
const close = (s: number, conn: string, code: number, upS: number, cause: 'abnormal_close' | 'heartbeat_timeout', reason = ''): LifecycleEvent => ({
  type: 'close',
  ...who,
  t: at(s),
  conn,
  code,
  cause,
  reason,
  byServer: code === 4008,
  durationMs: upS * 1000,
});

const events: LifecycleEvent[] = [
  open(0, 'c1'),
  close(600, 'c1', 1006, 600, 'abnormal_close', '<img src=x onerror=alert(1)>'),
  open(603, 'c2'),
  close(1493, 'c2', 4008, 890, 'heartbeat_timeout'),
  { type: 'auth_fail', ...who, t: at(1496), reason: 'expired' },
  open(2400, 'c3'),
  close(3000, 'c3', 1006, 600, 'abnormal_close'),
  open(3000.25, 'c4'),
];
const timeline = buildTimeline({ events, from: at(0), to: at(3600), now: at(3600) });

describe('terminal view components', () => {
  it('the report names the issues', () => {
    const html = renderToStaticMarkup(<DiagnosticReport timeline={timeline} />);
    for (const code of ['token_rejected', 'heartbeat_missing', 'backoff_not_respected']) expect(html).toContain(`data-issue="${code}"`);
    expect(html).toContain('token rejected (4001) 1×');
    expect(html).toContain('heartbeat missing: 1 timeout (4008)');
    expect(html).toContain('backoff not respected: retried after 0.3 s, policy says ≥ 2 s');
  });

  it('one table row per disconnect, in words, reasons escaped', () => {
    const html = renderToStaticMarkup(<DisconnectList timeline={timeline} />);
    expect(html.match(/<tr[^>]*data-code=/g)).toHaveLength(4);
    expect([...html.matchAll(/data-code="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1006, 4001, 4008, 1006]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('the bar draws every segment and flags the fast retry; the strip is judged from the records', () => {
    const bar = renderToStaticMarkup(<ConnectionBar timeline={timeline} />);
    // One path per colour, holding one rectangle per (merged) shape.
    expect(bar).toMatch(/<path d="[^"]*"[^>]*data-state="disconnected" data-shapes="4"/);
    expect(bar.match(/<path d="([^"]*)"[^>]*data-state="disconnected"/)![1]!.match(/M/g)).toHaveLength(4);
    expect(bar).toMatch(/data-flag="backoff_not_respected" data-shapes="1"/);
    const strip = renderToStaticMarkup(<HeartbeatStripView timeline={timeline} />);
    expect(strip).toContain('data-status="on_time"');
    expect(strip).toContain('data-status="missed"');
    // The 4008's last two intervals, and nothing else, were missed.
    expect(strip).toMatch(/\d+ on time, 0 late, 2 missed, \d+ unknown/);
    expect(strip).toContain('judged once a late ping could have come');
  });
});
