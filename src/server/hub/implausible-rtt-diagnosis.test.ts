/**
 * Issue 18, item 1 (the diagnosis part), on a real gateway, bus probe, hub and SQLite store: a
 * terminal sending `rtt: 1e9` stays connected, its pings count, the RTT figures hold none of its
 * reports, and its diagnosis — built from the hub's events page as the terminal view builds it —
 * says "reports implausible RTT". Before, the gateway only counted it on its own `/metrics`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildTimeline } from '../../core/timeline/build-timeline.ts';
import { diagnose } from '../../core/timeline/diagnose.ts';
import { eventsPageAnswerSchema } from '../../protocol/api.ts';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { connectTerminal } from '../gateway/test-helpers/test-terminal.ts';
import { startHubWithGateway } from './test-helpers/hub-with-gateway.ts';

const secret = 'implausible-rtt-secret-0123456789abcdef';
const engineer = signViewerToken(secret, { sub: 'erin', role: 'engineer' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a terminal reporting an implausible RTT', () => {
  it('stays connected, and its diagnosis says "reports implausible RTT"', async () => {
    const { hub, gateway } = await startHubWithGateway({ secret, gatewayId: 'gw-rtt', probeFlushMs: 100 }, cleanups);

    const from = Date.now() - 1000;
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await t.next('welcome');
    for (let seq = 1; seq <= 3; seq++) {
      t.sendJson({ type: 'ping', seq, timestamp: Date.now(), rtt: 1e9 });
      await t.next('pong', (m) => m.seq === seq);
    }
    expect(t.ws.readyState).toBe(t.ws.OPEN);

    const path = `/api/terminals/r-001-t1/events?from=${from}&to=${Date.now() + 60_000}`;
    const page = async () => {
      const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${engineer}` } });
      return res.status === 200 ? eventsPageAnswerSchema.parse(await res.json()) : null;
    };
    const pings = async () => (await page())?.events.reduce((n, e) => n + (e.type === 'rtt_implausible' ? e.count : 0), 0);
    await expect.poll(pings, { timeout: 5_000 }).toBe(3);

    const answer = (await page())!;
    const now = Date.now();
    const timeline = buildTimeline({ events: answer.events, from, to: now + 60_000, now, heartbeatIntervalMs: answer.policy.heartbeatIntervalMs, graceMs: answer.policy.graceMs });
    const report = diagnose(timeline, now, { formatTime: (ms) => new Date(ms).toISOString().slice(11, 19) });
    expect(report.state).toBe('connected');
    expect(report.rtt.count).toBe(0);
    const issue = report.issues.find((i) => i.code === 'implausible_rtt');
    expect(issue).toMatchObject({ count: 3 });
    expect(issue?.text).toMatch(/^reports implausible RTT in 3 pings since .* \(last: 1\.0e\+9 ms\)/);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    t.ws.close(1000);
    await t.closed;
  });
});
