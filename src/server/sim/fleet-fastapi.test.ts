/**
 * The simulated fleet against a gateway Pulse did not write: the Fynlo-style FastAPI app in
 * examples/fastapi-gateway, run by uvicorn. Its terminals present `?token=` and count a connection
 * as open without a welcome (`tokenVia: 'query'`, `welcome: false`). One run with faults; each
 * `it` checks one behaviour against the ground truth, the only witness (the app reports nothing).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFastApi, startFastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import type { FastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import { signTerminalToken } from '../auth/tokens.ts';
import { startFleet } from './fleet.ts';
import type { Fleet } from './fleet.ts';
import { parseScenario } from './scenario.ts';
import { sleep, testSecret, waitFor } from './test-helpers/sim-fixture.ts';
import type { TerminalTruthEvent, TruthEvent } from './truth-events.ts';

const skip = requireFastApi();

const heartbeatMs = 300;
const graceMs = 200;
/** The app closes a socket silent for longer than this with 4008. */
const appSilenceLimitMs = 2 * heartbeatMs + graceMs;
const faultAt = 1.5;
const restoreAfter = 1;
const silentFor = 1.5;
const scenario = parseScenario(
  JSON.stringify({
    network: { default: 'ideal' },
    orders: { perTerminalPerMinute: 60 },
    faults: [
      { type: 'bad-token', at: faultAt, kind: 'expired', terminals: ['r-001-t1'] },
      { type: 'bad-token', at: faultAt, kind: 'wrong-secret', duration: restoreAfter, terminals: ['r-002-t1'] },
      { type: 'silent', at: faultAt, duration: silentFor, terminals: ['r-003-t3'] },
    ],
  }),
);

let gw: FastApiGateway | undefined;
let fleet: Fleet | undefined;
const truth: TerminalTruthEvent[] = [];
/** When each truth line was recorded (Date.now()), by index into `truth`. */
const recordedAt: number[] = [];
let faultStart = 0;
let stoppedAt = 0;

const truthOf = (tid: string) => truth.filter((e) => e.tid === tid);
const before = (t: number) => truth.filter((e) => e.t < t);
const allTids = ['r-001', 'r-002', 'r-003'].flatMap((rid) => [1, 2, 3].map((n) => `${rid}-t${n}`));

beforeAll(async () => {
  if (skip) return;
  gw = await startFastApiGateway({ secret: testSecret, heartbeatIntervalMs: heartbeatMs, heartbeatGraceMs: graceMs });
  fleet = await startFleet({
    gatewayUrl: gw.url,
    secret: testSecret,
    restaurants: 3,
    terminals: { min: 3, max: 3 },
    scenario,
    heartbeatIntervalMs: heartbeatMs,
    tokenVia: 'query',
    welcome: false,
    rampPerSec: 2000,
    backoff: { baseMs: 100, capMs: 400 },
    // The terminals must not give up on a silenced link before the app does: then the close they
    // read, once the silence ends, is the app's own 4008.
    healthThresholds: { degradedAfterMs: 400, unhealthyAfterMs: 10 * heartbeatMs },
    onTruth: (e: TruthEvent) => {
      if (!('tid' in e)) return;
      truth.push(e);
      recordedAt.push(Date.now());
    },
  });
  faultStart = fleet.startedAt + faultAt * 1000;
  await waitFor('9 terminals connected before the faults', () => fleet!.connectedCount() === 9, faultAt * 1000);
  // The silence, the app's 4008 read once it ends, and the reconnect after it.
  await sleep(faultStart + silentFor * 1000 + 1200 - Date.now());
  stoppedAt = Date.now();
  await fleet.stop();
}, 30_000);

afterAll(async () => {
  await fleet?.stop();
  await gw?.stop();
});

describe.skipIf(skip)('a simulated fleet against the FastAPI gateway (?token=, no welcome)', () => {
  it('every terminal connects: 9 opens, each at its handshake, held until the app answered', () => {
    const opens = before(faultStart).filter((e) => e.ev === 'open');
    expect(opens.map((e) => e.tid).sort()).toEqual([...allTids].sort());
    expect(before(faultStart).filter((e) => e.ev === 'connect_fail')).toEqual([]);
    for (const open of opens) {
      // The first frame from the app is the pong to the first ping, a heartbeat after the handshake.
      const lag = recordedAt[truth.indexOf(open)]! - open.t;
      expect(lag, open.tid).toBeGreaterThanOrEqual(heartbeatMs * 0.8);
      const firstPing = truthOf(open.tid).find((e) => e.ev === 'ping');
      expect(firstPing && firstPing.t - open.t, open.tid).toBeGreaterThanOrEqual(heartbeatMs * 0.8);
    }
  });

  it('each connection\'s truth begins with its open and ends with its close; refused attempts hold nothing', () => {
    for (const tid of allTids) {
      let openAt: number | null = null;
      for (const e of truthOf(tid)) {
        const where = `${tid} ${e.ev} at +${e.t - fleet!.startedAt} ms`;
        if (e.ev === 'open') {
          expect(openAt, where).toBeNull();
          openAt = e.t;
        } else if (e.ev === 'close') {
          expect(openAt, where).not.toBeNull();
          openAt = null;
        } else if (e.ev === 'connect_fail') {
          expect(openAt, where).toBeNull();
        } else if (e.ev !== 'retry' && e.ev !== 'failed') {
          expect(openAt, where).not.toBeNull();
          expect(e.t, where).toBeGreaterThanOrEqual(openAt!);
        }
      }
      expect(openAt, `${tid} still open after stop`).toBeNull();
    }
  });

  it('pings get pongs with a round trip, and the terminals report it back', () => {
    for (const tid of allTids) {
      const events = truthOf(tid);
      const pings = events.filter((e) => e.ev === 'ping');
      const pongs = events.filter((e) => e.ev === 'pong');
      expect(pongs.length, tid).toBeGreaterThanOrEqual(3);
      const pingSeqs = new Set(pings.map((p) => p.seq));
      for (const pong of pongs) {
        expect(pingSeqs.has(pong.seq), `${tid} pong ${pong.seq} answers a ping`).toBe(true);
        expect(pong.rtt, tid).toBeGreaterThanOrEqual(0);
        expect(pong.rtt, tid).toBeLessThan(1000);
      }
      // A ping's rtt is the last round trip the terminal measured.
      const measured = new Set(pongs.map((p) => Math.round(p.rtt)));
      const reported = pings.flatMap((p) => (p.rtt === undefined ? [] : [p.rtt]));
      expect(reported.length, tid).toBeGreaterThanOrEqual(2);
      for (const rtt of reported) expect(measured.has(rtt), `${tid} reported rtt ${rtt}`).toBe(true);
    }
  });

  it('an order reaches every terminal of its restaurant, numbered per restaurant, and no other restaurant', () => {
    const sender = new Map<string, string>(); // order id → rid
    for (const e of truth) if (e.ev === 'order_sent') sender.set(e.id, e.rid);
    const received = truth.filter((e) => e.ev === 'order_recv');
    expect(received.length).toBeGreaterThan(0);
    for (const e of received) expect(sender.get(e.id), `${e.tid} got order ${e.id}`).toBe(e.rid);

    // Before the faults every terminal was connected: each saw all of its restaurant's orders, in order.
    const early = before(faultStart - heartbeatMs);
    const sentEarly = early.filter((e) => e.ev === 'order_sent');
    expect(sentEarly.length).toBeGreaterThanOrEqual(3);
    for (const tid of allTids) {
      const rid = tid.slice(0, 5);
      const got = truthOf(tid).filter((e) => e.ev === 'order_recv');
      const ids = new Set(got.map((e) => e.id));
      for (const sent of sentEarly.filter((e) => e.rid === rid)) expect(ids.has(sent.id), `${tid} got ${sent.id}`).toBe(true);
      const seqs = got.filter((e) => e.t < faultStart - heartbeatMs).map((e) => e.seq);
      expect(seqs, tid).toEqual(seqs.map((_, i) => i + 1));
    }
    // One seq per order, whoever received it.
    const seqOf = new Map<string, number>();
    for (const e of received) {
      const seen = seqOf.get(e.id) ?? e.seq;
      expect(e.seq, e.id).toBe(seen);
      seqOf.set(e.id, seen);
    }
  });

  it('bad tokens on the URL: 4001 before any frame, no open, the terminal fails; a good token again reconnects', () => {
    for (const tid of ['r-001-t1', 'r-002-t1']) {
      const after = truthOf(tid).filter((e) => e.t >= faultStart);
      expect(after.filter((e) => e.ev === 'connect_fail').map((e) => e.ev === 'connect_fail' && e.code), tid).toEqual([4001]);
      expect(after.filter((e) => e.ev === 'failed').map((e) => e.ev === 'failed' && [e.reason, e.code]), tid).toEqual([['token_rejected', 4001]]);
      // The good connection closed itself to switch tokens; the refused attempt after it held nothing.
      const switched = after.find((e) => e.ev === 'close');
      expect(switched && [switched.code, switched.by], tid).toEqual([1000, 'client']);
      const restoredAt = faultStart + restoreAfter * 1000;
      expect(after.filter((e) => e.t > switched!.t && e.t < restoredAt && ['open', 'ping', 'pong'].includes(e.ev)), tid).toEqual([]);
    }
    // The expired one stays away; the wrong secret was replaced by a good token and came back.
    expect(truthOf('r-001-t1').filter((e) => e.ev === 'open' && e.t >= faultStart)).toEqual([]);
    expect(truthOf('r-002-t1').filter((e) => e.ev === 'open' && e.t >= faultStart + restoreAfter * 1000)).toHaveLength(1);
  });

  it('a silenced terminal is closed 4008 by the app, and reconnects once its link works again', () => {
    const closes = truthOf('r-003-t3').filter((e) => e.ev === 'close' && e.t < stoppedAt);
    // The close frame itself, as the app sent it (read after the orders its restaurant broadcast
    // meanwhile, which TCP delivers once the link works: so the truth need not mark it `silent`).
    expect(closes.map((e) => e.ev === 'close' && { code: e.code, by: e.by, reason: e.reason })).toEqual([{ code: 4008, by: 'server', reason: 'Heartbeat timeout' }]);
    // The terminal reads the close only when its link works again, long after the app's limit.
    expect(closes[0]!.t - faultStart).toBeGreaterThan(appSilenceLimitMs);
    expect(truthOf('r-003-t3').filter((e) => e.ev === 'open' && e.t > closes[0]!.t)).toHaveLength(1);
  });

  it('nothing else closed before the stop, and the stop closed every connection 1000', () => {
    const early = truth.filter((e) => e.ev === 'close' && e.t < stoppedAt).map((e) => e.ev === 'close' && `${e.tid}:${e.code}:${e.by}`);
    expect(early.sort()).toEqual(['r-001-t1:1000:client', 'r-002-t1:1000:client', 'r-003-t3:4008:server']);
    const late = truth.filter((e) => e.ev === 'close' && e.t >= stoppedAt);
    expect(late.map((e) => e.ev === 'close' && e.code)).toEqual(Array(8).fill(1000));
    expect(fleet!.connectedCount()).toBe(0);
  });
});

describe.skipIf(skip)('no welcome: an open held at the handshake', () => {
  it('is confirmed by any end but a 4001, even one before any frame (the app\'s 4008 for a terminal slower than its limit)', async () => {
    const seen: TerminalTruthEvent[] = [];
    // The terminal's heartbeat is longer than the app's silence limit: the app closes it before
    // it ever sends a frame, and that close is no refusal.
    const slow = await startFleet({
      gatewayUrl: gw!.url,
      secret: testSecret,
      restaurants: 1,
      terminals: { min: 1, max: 1 },
      heartbeatIntervalMs: 5000,
      tokenVia: 'query',
      welcome: false,
      onTruth: (e) => void ('tid' in e && seen.push(e)),
    });
    try {
      await waitFor('the app to close the quiet terminal', () => seen.some((e) => e.ev === 'close'), 3000);
    } finally {
      await slow.stop();
    }
    const open = seen.find((e) => e.ev === 'open');
    const close = seen.find((e) => e.ev === 'close');
    expect(seen.filter((e) => e.ev === 'connect_fail')).toEqual([]);
    expect(seen.indexOf(open!)).toBeLessThan(seen.indexOf(close!));
    expect(close && [close.code, close.by]).toEqual([4008, 'server']);
    expect(close!.t - open!.t).toBeGreaterThanOrEqual(appSilenceLimitMs * 0.9);
  });
});

describe.skipIf(skip)('the FastAPI gateway itself', () => {
  const good = () => signTerminalToken(testSecret, 'till-1', 'r-900', 60);

  function session(url: string, protocols: string[], act: (ws: WebSocket) => void = () => {}) {
    return new Promise<{ messages: string[]; code: number; reason: string; error?: string; afterMs: number }>((resolve) => {
      const started = Date.now();
      const messages: string[] = [];
      let error: string | undefined;
      const ws = new WebSocket(url, protocols);
      ws.on('open', () => act(ws));
      ws.on('message', (data) => messages.push(data.toString()));
      ws.on('error', (e) => (error ??= e.message));
      ws.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString(), afterMs: Date.now() - started, ...(error ? { error } : {}) }));
    });
  }

  it('sends no welcome, and closes a socket that says nothing with 4008 "Heartbeat timeout"', async () => {
    const run = await session(`${gw!.url}?token=${good()}`, []);
    expect(run.messages).toEqual([]);
    expect([run.code, run.reason]).toEqual([4008, 'Heartbeat timeout']);
    expect(run.afterMs).toBeGreaterThanOrEqual(appSilenceLimitMs * 0.9);
  });

  it('answers a ping with a pong echoing its seq; closes 1008 on invalid JSON', async () => {
    const run = await session(`${gw!.url}?token=${good()}`, [], (ws) => {
      ws.send(JSON.stringify({ type: 'ping', seq: 41, timestamp: Date.now() }));
      setTimeout(() => ws.send('{not json'), 100);
    });
    expect(run.messages.map((m) => JSON.parse(m) as { type: string; seq: number })).toMatchObject([{ type: 'pong', seq: 41 }]);
    expect(run.code).toBe(1008);
  });

  it('refuses a missing token with 4001 "Invalid token" after accepting, and answers no subprotocol', async () => {
    const missing = await session(gw!.url, []);
    expect([missing.code, missing.reason, missing.messages]).toEqual([4001, 'Invalid token', []]);
    // A terminal offering `bearer.<jwt>` gets no protocol back, and `ws` refuses that handshake.
    const offered = await session(gw!.url, ['pulse.v1', `bearer.${good()}`]);
    expect(offered.error).toBe('Server sent no subprotocol');
  });

  it('will not start without GATEWAY_SECRET, and says so', async () => {
    await expect(startFastApiGateway({ secret: '' })).rejects.toThrow(/GATEWAY_SECRET is required/);
  });
});
