/**
 * Silences through the API on a real hub, on both store engines: the hub reads a memory bus fed by
 * a bus probe (a terminal of r-001 opens and closes, so r-001 is offline and its alert fires), and
 * keeps API silences in the store's `silences` table. Engineers make and lift them (who from the
 * token), a manager lists only those touching their restaurants, a silence holds the alert while
 * it lasts and releases it when it ends or is lifted, a restarted hub still holds it, and a bad
 * body is refused with SILENCE_INVALID naming the field. Also the delivery log's scope.
 */
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { ev } from '../../core/test-helpers/telemetry-events.ts';
import { alertsAnswerSchema, type AlertPhaseWire } from '../../protocol/alerts.ts';
import { deliveriesAnswerSchema, silenceAnswerSchema, silencesAnswerSchema } from '../../protocol/alerts-api.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { createBusProbe, type BusProbe } from '../gateway/bus-probe.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { pgSilenceStore } from '../store/postgres/pg-silences.ts';
import { sqliteSilenceStore } from '../store/silence-store.ts';
import { describeEachEngine, type StoreEngine, type StorePlace } from '../store/test-helpers/engines.ts';
import { parseAlertsConfig } from './alerts-config.ts';

const secret = 'silences-api-secret-0123456789abcdef';
const engineer = signViewerToken(secret, { sub: 'erin', role: 'engineer' });
const support = signViewerToken(secret, { sub: 'sam', role: 'support' });
const managerOf1 = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] });
const managerOf2 = signViewerToken(secret, { sub: 'max', role: 'manager', restaurants: ['r-002'] });

const config = () => {
  const parsed = parseAlertsConfig(
    JSON.stringify({
      rules: [
        { id: 'offline', metric: 'offline', severity: 'critical' },
        { id: 'store', metric: 'store_failing', severity: 'critical' },
      ],
      restaurants: { 'r-002': { tags: ['paris'] } },
      silences: [{ restaurant: 'r-009', until: '2999-01-01T00:00:00Z', by: 'ana', why: 'from the file' }],
    }),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An answer or a refusal: read as the refusal's shape, decoded with the answer's schema where it is one. */
type Json = { error: { code: string; message: string } };

async function call(hub: Hub, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(hub.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as Json };
}

/** A hub on the place's store, its silences in the same store; stopped (hub, probe, store) in order. */
async function startOn(engine: StoreEngine, place: StorePlace): Promise<{ hub: Hub; probe: BusProbe; stop: () => Promise<void> }> {
  const { store, recovered } = await place.open();
  const silenceStore = engine.name === 'postgres' ? pgSilenceStore(place.spec) : sqliteSilenceStore(place.spec);
  const bus = createMemoryBus();
  const hub = await startHub({ secret, port: 0, bus, store, recovered, staticDir: '/nonexistent', tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50, alerts: { config: config(), silenceStore } });
  const probe = createBusProbe({ bus, gatewayId: 'gw-test', clock: systemClock() });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await probe.stop();
    await hub.close();
    await store.close();
  };
  cleanups.push(stop);
  return { hub, probe, stop };
}

/** r-001's till came and went: terminals expected, none connected — offline. */
function takeOffline(probe: BusProbe): void {
  const t = Date.now() - 2_000;
  probe.emit(ev.open(t, 'r-001', 't1', 'c1'));
  probe.emit(ev.close(t + 500, 'r-001', 't1', 'c1', 1006, 500));
  probe.flush();
}

async function newPlace(engine: StoreEngine): Promise<StorePlace> {
  const place = await engine.newPlace();
  cleanups.push(() => place.remove());
  return place;
}

/** A hub on a new place whose r-001 alert is firing. */
async function firingOn(engine: StoreEngine): Promise<{ hub: Hub }> {
  const { hub, probe } = await startOn(engine, await newPlace(engine));
  takeOffline(probe);
  await expect.poll(() => phaseOf(hub, 'r-001'), { timeout: 5_000 }).toBe('firing');
  return { hub };
}

async function phaseOf(hub: Hub, rid: string): Promise<AlertPhaseWire | undefined> {
  const a = alertsAnswerSchema.parse((await call(hub, 'GET', '/api/alerts', engineer)).json);
  return a.active.find((s) => s.rule === 'offline' && s.subject.kind === 'restaurant' && s.subject.rid === rid)?.phase;
}

describeEachEngine('silences through the API', (engine) => {
  it('an engineer silences r-001: held while it lasts, firing again once it ends; who is the token', async () => {
    const { hub } = await firingOn(engine);

    const until = Date.now() + 1_500;
    const made = await call(hub, 'POST', '/api/silences', engineer, { restaurant: 'r-001', until, why: 'till replaced' });
    expect(made.status).toBe(200);
    const { silence } = silenceAnswerSchema.parse(made.json);
    expect(silence).toMatchObject({ source: 'api', restaurant: 'r-001', rule: null, until, by: 'erin', why: 'till replaced' });
    expect(silence.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => phaseOf(hub, 'r-001'), { timeout: 2_000, interval: 50 }).toBe('silenced');
    const history = alertsAnswerSchema.parse((await call(hub, 'GET', '/api/alerts', engineer)).json).history;
    expect(history[0]).toMatchObject({ rule: 'offline', endedBy: 'silenced' });
    // Ended: the fault is still there, so it fires again at a tick after `until`.
    await expect.poll(() => phaseOf(hub, 'r-001'), { timeout: 3_000, interval: 50 }).toBe('firing');
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(silencesAnswerSchema.parse((await call(hub, 'GET', '/api/silences', engineer)).json).silences.map((s) => s.source)).toEqual(['file']);
  });

  it('lifting a silence releases its alerts at the next tick; only an engineer may make or lift one', async () => {
    const { hub } = await firingOn(engine);
    const body = { rule: 'offline', restaurant: 'r-001', until: new Date(Date.now() + 3_600_000).toISOString(), why: 'planned work' };
    for (const token of [support, managerOf1]) {
      const refused = await call(hub, 'POST', '/api/silences', token, body);
      expect([refused.status, refused.json.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    const { silence } = silenceAnswerSchema.parse((await call(hub, 'POST', '/api/silences', engineer, body)).json);
    await expect.poll(() => phaseOf(hub, 'r-001'), { timeout: 2_000, interval: 50 }).toBe('silenced');

    const notYours = await call(hub, 'DELETE', `/api/silences/${silence.id}`, managerOf1);
    expect([notYours.status, notYours.json.error.code]).toEqual([403, 'FORBIDDEN']);
    const lifted = await call(hub, 'DELETE', `/api/silences/${silence.id}`, engineer);
    expect(lifted.status).toBe(200);
    expect(silenceAnswerSchema.parse(lifted.json).silence.id).toBe(silence.id);
    await expect.poll(() => phaseOf(hub, 'r-001'), { timeout: 2_000, interval: 50 }).toBe('firing');
    const again = await call(hub, 'DELETE', `/api/silences/${silence.id}`, engineer);
    expect([again.status, again.json.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('a manager lists only the silences that touch their restaurants', async () => {
    const { hub } = await startOn(engine, await newPlace(engine));
    const until = Date.now() + 3_600_000;
    for (const s of [{ restaurant: 'r-001' }, { restaurant: 'r-002' }, { tag: 'paris' }, { rule: 'offline' }, { rule: 'store' }]) {
      expect((await call(hub, 'POST', '/api/silences', engineer, { ...s, until, why: 'x' })).status).toBe(200);
    }
    const seen = async (token: string) =>
      silencesAnswerSchema
        .parse((await call(hub, 'GET', '/api/silences', token)).json)
        .silences.map((s) => s.restaurant ?? (s.tag ? `#${s.tag}` : `rule ${s.rule}`))
        .sort();
    expect(await seen(engineer)).toEqual(['#paris', 'r-001', 'r-002', 'r-009', 'rule offline', 'rule store']);
    expect(await seen(support)).toEqual(await seen(engineer));
    // The fleet-wide store rule and r-002's tag never touch r-001; the file's r-009 neither.
    expect(await seen(managerOf1)).toEqual(['r-001', 'rule offline']);
    expect(await seen(managerOf2)).toEqual(['#paris', 'r-002', 'rule offline']);
  });

  it('a restarted hub still holds the silence: it is in the store', async () => {
    const place = await newPlace(engine);
    const first = await startOn(engine, place);
    const { silence } = silenceAnswerSchema.parse((await call(first.hub, 'POST', '/api/silences', engineer, { restaurant: 'r-001', until: Date.now() + 3_600_000, why: 'kept' })).json);
    await first.stop();

    const second = await startOn(engine, place);
    const listed = silencesAnswerSchema.parse((await call(second.hub, 'GET', '/api/silences', engineer)).json).silences;
    expect(listed.find((s) => s.source === 'api')).toEqual(silence);
    // r-001 goes offline after the restart: held from the first tick, never firing.
    takeOffline(second.probe);
    await expect.poll(() => phaseOf(second.hub, 'r-001'), { timeout: 5_000 }).toBe('silenced');
  });

  it('a bad body is refused with SILENCE_INVALID naming what is wrong', async () => {
    const { hub } = await startOn(engine, await newPlace(engine));
    const later = Date.now() + 3_600_000;
    const cases: [unknown, RegExp][] = [
      [{ until: later, why: 'nothing named' }, /names a rule, a restaurant or a tag/],
      [{ restaurant: 'r-001', until: later }, /why/],
      [{ restaurant: 'r-001', until: later, why: 'x', by: 'mallory' }, /by: .*your token/],
      [{ restaurant: 'r-001', until: Date.now() - 1, why: 'x' }, /until: already past/],
      [{ restaurant: 'r-001', until: '2026-12-24T18:00:00', why: 'x' }, /until: .*not a time/],
      [{ restaurant: 'r-001', until: later + 100 * 86_400_000, why: 'x' }, /at most 90 days/],
      [{ rule: 'nope', until: later, why: 'x' }, /rule: no rule "nope"/],
      [{ rule: 'store', restaurant: 'r-001', until: later, why: 'x' }, /fleet-wide/],
      [{ restaurant: '<b>r</b>', until: later, why: 'x' }, /restaurant: ids are/],
      [{ restaurant: 'r-001', until: later, why: 'x', hours: 2 }, /hours/],
    ];
    for (const [body, message] of cases) {
      const r = await call(hub, 'POST', '/api/silences', engineer, body);
      expect([r.status, r.json.error.code], JSON.stringify(body)).toEqual([400, 'SILENCE_INVALID']);
      expect(r.json.error.message).toMatch(message);
    }
    const notJson = await call(hub, 'POST', '/api/silences', engineer, '{"restaurant":');
    expect([notJson.status, notJson.json.error.code]).toEqual([400, 'BAD_REQUEST']);
    const big = await call(hub, 'POST', '/api/silences', engineer, { restaurant: 'r-001', until: later, why: 'x'.repeat(20_000) });
    expect([big.status, big.json.error.code]).toEqual([413, 'TOO_LARGE']);
    expect(silencesAnswerSchema.parse((await call(hub, 'GET', '/api/silences', engineer)).json).silences.filter((s) => s.source === 'api')).toEqual([]);
  });

  it('an episode\'s delivery log is cut to the scope', async () => {
    const { hub } = await firingOn(engine);
    const episode = alertsAnswerSchema.parse((await call(hub, 'GET', '/api/alerts', engineer)).json).active.find((s) => s.phase === 'firing')!.episode!;
    const path = `/api/alerts/${encodeURIComponent(episode)}/deliveries`;
    // This hub has no webhooks: an empty log, for the engineer and r-001's manager alike.
    expect(deliveriesAnswerSchema.parse((await call(hub, 'GET', path, engineer)).json)).toMatchObject({ episode, deliveries: [] });
    expect((await call(hub, 'GET', path, managerOf1)).status).toBe(200);
    const theirs = await call(hub, 'GET', path, managerOf2);
    expect([theirs.status, theirs.json.error.code]).toEqual([403, 'NOT_IN_SCOPE']);
    const fleet = await call(hub, 'GET', `/api/alerts/${encodeURIComponent('store/fleet/1')}/deliveries`, managerOf1);
    expect([fleet.status, fleet.json.error.code]).toEqual([403, 'NOT_IN_SCOPE']);
    const bogus = await call(hub, 'GET', '/api/alerts/nope/deliveries', engineer);
    expect([bogus.status, bogus.json.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
