/**
 * Alerts on the real system (`pulse start`'s composition: reference gateway, probe, bus, hub,
 * SQLite store, simulated fleet) with a real webhook receiver on loopback. A scripted outage takes
 * r-002, r-004 and r-005 offline for 4 s: r-002 fires "restaurant offline" `for` + at most one tick
 * after the hub first saw it offline and resolves after recovery, and the receiver gets exactly
 * one firing and one resolved, signed; r-004 is silenced and fires nothing; r-005 is outside its
 * opening hours and is held as closed. A second webhook points at a port nobody listens on: its
 * deliveries are retried while the stream keeps ticking. A manager sees their restaurant only.
 *
 * Bounded: 6 restaurants × 2 terminals on loopback, about 10 s.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsAnswerSchema, webhookBodySchema, webhookHeaders, type AlertsAnswer, type WebhookBody } from '../../protocol/alerts.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { startAllInOne, type AllInOne } from '../pipeline/all-in-one.ts';
import { parseScenario } from '../sim/scenario.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-helpers/webhook-receiver.ts';

const secret = 'alerts-e2e-secret-0123456789abcdef';
const hookSecret = 'webhook-secret-0123456789abcdef';
const TICK_MS = 100;
const FOR_MS = 1_500;
const TIMER_SLACK_MS = 200;
const support = signViewerToken(secret, { sub: 'sam', role: 'support' });
const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-002'] });
const otherManager = signViewerToken(secret, { sub: 'max', role: 'manager', restaurants: ['r-001'] });

const scenario = parseScenario(JSON.stringify({ network: { default: 'lan' }, faults: [{ type: 'outage', at: 2, duration: 4, restaurants: ['r-002', 'r-004', 'r-005'] }] }));

let app: AllInOne;
let receiver: WebhookReceiver;
let deadPort: number;
const cleanup: (() => Promise<void> | void)[] = [];
/** Every phase each alert went through, as polled: `rid phase since`. */
const seen = new Map<string, { phase: string; since: number }[]>();
const seqDuringRetries: number[] = [];
let metricsWhileFiring = '';

async function api(path: string, token: string): Promise<AlertsAnswer> {
  const res = await fetch(`${app.hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return alertsAnswerSchema.parse(await res.json());
}

const bodies = (): WebhookBody[] => receiver.received.map((r) => webhookBodySchema.parse(JSON.parse(r.raw)));

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  cleanup.push(() => receiver.close());
  const dead = await startWebhookReceiver();
  deadPort = dead.port;
  await dead.close();
  const tmp = makeTempDir('pulse-alerts-e2e-');
  cleanup.push(tmp.remove);
  const file = join(tmp.dir, 'alerts.json');
  writeFileSync(
    file,
    JSON.stringify({
      rules: [{ id: 'restaurant-offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', for: FOR_MS }],
      // No day listed: closed all week.
      restaurants: { 'r-005': { tags: ['night'], hours: { timezone: 'UTC', days: {} } } },
      silences: [{ restaurant: 'r-004', until: '2999-01-01T00:00:00Z', by: 'ana', why: 'kitchen refit' }],
      webhooks: [
        { id: 'ops', url: receiver.url, secret: hookSecret },
        { id: 'down', url: `http://127.0.0.1:${deadPort}/hook`, secret: hookSecret },
      ],
    }),
  );
  app = await startAllInOne({
    secret,
    dataDir: tmp.dir,
    port: 0,
    gatewayPort: 0,
    staticDir: `${tmp.dir}/no-dist`,
    heartbeatIntervalMs: 300,
    heartbeatGraceMs: 150,
    hub: { tickMs: TICK_MS, tickPhaseMs: null, flushIntervalMs: 100, alerts: { file, webhooks: { backoff: { baseMs: 100, capMs: 400 }, maxAttempts: 100 } } },
    sim: { restaurants: 6, terminals: { min: 2, max: 2 }, scenario, seed: 5, rampPerSec: 1000, backoff: { baseMs: 150, capMs: 600 }, stableAfterMs: 600 },
  });
  cleanup.push(() => app.stop());
  // Poll the live alert states until r-002 has fired and resolved at the receiver.
  let done = false;
  const poll = (async () => {
    while (!done) {
      for (const s of app.hub.alerts!.answer(Date.now(), { restaurants: null }).active) {
        if (s.subject.kind !== 'restaurant') continue;
        const list = seen.get(s.subject.rid) ?? [];
        if (list.at(-1)?.phase !== s.phase || list.at(-1)?.since !== s.since) list.push({ phase: s.phase, since: s.since });
        seen.set(s.subject.rid, list);
      }
      if (bodies().some((b) => b.status === 'firing')) {
        seqDuringRetries.push(app.hub.live.stats().seq);
        if (!metricsWhileFiring && !bodies().some((b) => b.status === 'resolved')) metricsWhileFiring = await app.hub.metricsText();
      }
      await sleep(20);
    }
  })();
  await waitFor('r-002 resolved at the receiver', () => bodies().some((b) => b.status === 'resolved'), 20_000);
  // A little longer: anything that would fire late (r-004, r-005, a second r-002) would show.
  await sleep(1_000);
  done = true;
  await poll;
}, 40_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('alerts end to end', () => {
  it('r-002 fires `for` + at most one tick after the hub saw it offline, and resolves after recovery', async () => {
    const phases = seen.get('r-002') ?? [];
    const pending = phases.find((p) => p.phase === 'pending');
    const firing = phases.find((p) => p.phase === 'firing');
    expect(pending).toBeDefined();
    expect(firing).toBeDefined();
    const delay = firing!.since - pending!.since;
    expect(delay).toBeGreaterThanOrEqual(FOR_MS);
    // One tick; plus what a loaded machine can make a timer late by (the exact `for` is core's table tests').
    expect(delay).toBeLessThanOrEqual(FOR_MS + TICK_MS + TIMER_SLACK_MS);
    expect(phases.at(-1)?.phase).toBe('resolved');
    const history = (await api('/api/alerts', support)).history.filter((e) => e.subject.kind === 'restaurant' && e.subject.rid === 'r-002');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ rule: 'restaurant-offline', firedAt: firing!.since, endedBy: 'recovered', valueAtFire: 1, value: 0 });
    expect(history[0]!.resolvedAt! - history[0]!.firedAt).toBeGreaterThan(1_000);
  });

  it('the receiver gets exactly one firing and one resolved, signed, with a link to the restaurant', () => {
    const got = bodies();
    expect(got.map((b) => [b.status, b.alert.subject])).toEqual([
      ['firing', { kind: 'restaurant', rid: 'r-002' }],
      ['resolved', { kind: 'restaurant', rid: 'r-002' }],
    ]);
    expect(got[0]!.link).toBe(`${app.hub.url}/restaurants/r-002`);
    expect(got[0]!.alert.id).toBe(got[1]!.alert.id);
    for (const r of receiver.received) {
      expect(r.headers[webhookHeaders.signature]).toBe(`sha256=${createHmac('sha256', hookSecret).update(r.raw).digest('hex')}`);
    }
  });

  it('a silenced restaurant fires nothing; one outside its opening hours is held as closed', () => {
    expect((seen.get('r-004') ?? []).map((p) => p.phase)).toEqual(['silenced']);
    expect((seen.get('r-005') ?? []).map((p) => p.phase)).toEqual(['closed']);
    expect(bodies().filter((b) => b.alert.subject.kind === 'restaurant' && b.alert.subject.rid !== 'r-002')).toEqual([]);
  });

  it('with a receiver down its deliveries are retried, and the stream keeps ticking meanwhile', () => {
    const episode = bodies()[0]!.alert.id;
    const down = app.hub.alerts!.deliveries(episode).filter((d) => d.webhook === 'down');
    expect(down).toHaveLength(2);
    expect(down[0]!.attempts.length).toBeGreaterThanOrEqual(3);
    expect(down[0]!.state).toBe('retrying');
    expect(down[0]!.attempts.every((a) => a.outcome === 'ECONNREFUSED')).toBe(true);
    // The resolved waits behind its firing (order is kept per receiver).
    expect(down[1]!.state).toBe('queued');
    // Ticks went on: seq grew by about one per tick while the retries were pending.
    const spanTicks = seqDuringRetries.at(-1)! - seqDuringRetries[0]!;
    expect(spanTicks).toBeGreaterThan(10);
  });

  it('/api/alerts is cut to the scope: a manager sees their restaurant only', async () => {
    const mine = await api('/api/alerts', manager);
    expect(mine.history.map((e) => e.subject)).toEqual([{ kind: 'restaurant', rid: 'r-002' }]);
    expect(mine.active.every((s) => s.subject.kind === 'restaurant' && s.subject.rid === 'r-002')).toBe(true);
    const theirs = await api('/api/alerts', otherManager);
    expect(theirs.history).toEqual([]);
    expect(theirs.active).toEqual([]);
    const all = await api('/api/alerts', support);
    expect(all.active.map((s) => (s.subject.kind === 'restaurant' ? s.subject.rid : s.subject.kind)).sort()).toEqual(expect.arrayContaining(['r-002', 'r-004', 'r-005']));
  });

  it('/metrics exports pulse_alerts_firing per rule', async () => {
    expect(metricsWhileFiring).toMatch(/pulse_alerts_firing\{rule="restaurant-offline",severity="critical",hub="[^"]+"\} 1/);
    const text = await app.hub.metricsText();
    expect(text).toMatch(/pulse_alerts_firing\{rule="restaurant-offline",severity="critical",hub="[^"]+"\} 0/);
  });
});
