/**
 * A hub over the Redis bus killed (-9) — or stopped cleanly, with the stream trimmed while it is
 * away — in the middle of a minute, frames published while it is
 * down — opens, closes, a reconnect across the restart, refused tokens, a limit hit, a late
 * heartbeat — and a new hub started on its data: the store must end up as if the hub had never
 * died. A second hub reading the same stream all along is the reference.
 *
 * Real Redis, real processes, real SQLite; the hubs and the publisher share a clock running 10×
 * (test-helpers/scaled-clock.ts), so four minutes of fleet time — minutes settling before, during
 * and after the outage — take under half a minute.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../../core/histogram.ts';
import { createAggregator } from '../../../core/probe-aggregator.ts';
import { ev } from '../../../core/test-helpers/telemetry-events.ts';
import type { ProbeEvent } from '../../../protocol/probe-events.ts';
import type { LifecycleEvent, TelemetryFrame } from '../../../protocol/telemetry.ts';
import { createRedisBus } from '../../bus/redis-bus.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { RestaurantMinute } from '../../store/store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { redisFixture } from '../../test-helpers/redis-fixture.ts';
import { scaledClock, untilScaled, type ScaledTime } from '../../test-helpers/scaled-clock.ts';
import { REDIS_URL, requireService } from '../../test-helpers/services.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { checkpointName, decodeCheckpoint } from './bus-checkpoint.ts';

const skip = await requireService('redis', REDIS_URL);
const child = path.join(import.meta.dirname, 'test-helpers', 'redis-hub-child.ts');
const SPEED = 10;
const S = 1000;
const MIN = 60_000;

type Hub = { stop(signal: NodeJS.Signals): Promise<number | null>; out: () => string; err: () => string };

function startHubProcess(dataDir: string, stream: string, time: ScaledTime): Promise<Hub> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify({ dataDir, redisUrl: REDIS_URL, stream, time })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  running.push(() => (proc.exitCode === null && proc.signalCode === null ? void proc.kill('SIGKILL') : undefined));
  const hub: Hub = {
    async stop(signal) {
      proc.kill(signal);
      return exited;
    },
    out: () => out,
    err: () => err,
  };
  return waitFor(`hub ready\n${err}`, () => /^ready /m.test(out), 30_000).then(() => hub);
}
const running: (() => void)[] = [];

/** The script: who connects where and when (s after the start), and what happens meanwhile. */
type Span = { tid: string; rid: string; gw: string; from: number; to?: number; code?: number; byServer?: boolean };
const spans: Span[] = [
  { tid: 'r1-t1', rid: 'r1', gw: 'gw-a', from: 0, to: 30, code: 1006 },
  { tid: 'r1-t1', rid: 'r1', gw: 'gw-a', from: 32, to: 75, code: 1006 },
  { tid: 'r1-t1', rid: 'r1', gw: 'gw-a', from: 77 },
  { tid: 'r1-t2', rid: 'r1', gw: 'gw-a', from: 0.5, to: 50, code: 1001, byServer: true },
  { tid: 'r1-t2', rid: 'r1', gw: 'gw-b', from: 51 }, // back through the other gateway
  { tid: 'r1-t3', rid: 'r1', gw: 'gw-b', from: 1, to: 125.5, code: 1008, byServer: true }, // a limit hit, while the hub is down
  { tid: 'r1-t3', rid: 'r1', gw: 'gw-b', from: 128 },
  { tid: 'r2-t4', rid: 'r2', gw: 'gw-a', from: 1.5, to: 90, code: 1000 }, // closes before the kill …
  { tid: 'r2-t4', rid: 'r2', gw: 'gw-a', from: 120 }, // … back while the hub is down: a reconnect across the restart
  { tid: 'r2-t5', rid: 'r2', gw: 'gw-b', from: 2, to: 110, code: 1006 }, // leaves while the hub is down
  { tid: 'r3-t6', rid: 'r3', gw: 'gw-b', from: 2.5 },
  { tid: 'r3-t7', rid: 'r3', gw: 'gw-b', from: 3, to: 160, code: 4008, byServer: true },
  { tid: 'r3-t7', rid: 'r3', gw: 'gw-b', from: 163 },
  { tid: 'r3-t8', rid: 'r3', gw: 'gw-a', from: 115 }, // new, while the hub is down
];
/** The last event is at 163 s; connections still open stay up (heartbeats, frames) until STOP. */
const STOP = 255;
const KILL_AT = 100;
const RESTART_AT = 150;

function script(s0: number): ProbeEvent[] {
  const at = (x: number) => s0 + Math.round(x * S);
  const out: ProbeEvent[] = [];
  spans.forEach((c, i) => {
    const conn = `${c.tid}#${i}`;
    out.push(ev.open(at(c.from), c.rid, c.tid, conn, c.gw));
    const end = c.to ?? STOP;
    for (let b = c.from + 15; b < end; b += 15) {
      const late = c.tid === 'r3-t6' && b > 130 && b < 145; // one heartbeat late while the hub is down
      out.push(ev.beat(at(b), c.rid, c.tid, conn, !late, 20 + i, c.gw));
      out.push({ type: 'traffic', gw: c.gw, t: at(b), rid: c.rid, tid: c.tid, conn, dir: 'in', bytes: 60 }, { type: 'traffic', gw: c.gw, t: at(b), rid: c.rid, tid: c.tid, conn, dir: 'out', bytes: 20 });
    }
    if (c.tid === 'r1-t3' && c.to !== undefined) out.push({ type: 'limit', gw: c.gw, t: at(125), rid: c.rid, tid: c.tid, conn, kind: 'rate', detail: 'bucket empty' });
    if (c.to !== undefined) out.push(ev.close(at(c.to), c.rid, c.tid, conn, c.code ?? 1000, (c.to - c.from) * S, { gw: c.gw, byServer: c.byServer ?? false }));
  });
  out.push({ type: 'auth_fail', gw: 'gw-a', t: at(130), reason: 'malformed' }, { type: 'auth_fail', gw: 'gw-b', t: at(135), reason: 'expired', claimedRid: 'r2', claimedTid: 'r2-t9' });
  return out.sort((a, b) => a.t - b.t);
}

const EXACT = /^(opens|reconnects|closes\..*|errors\..*|limits\..*|hbOnTime|hbLate|msgIn|msgOut|bytesIn|bytesOut)$/;
const TIME = ['connectedMs', 'healthyMs', 'expectedMs'];

type Stored = { events: LifecycleEvent[]; minutes: RestaurantMinute[]; checkpoint: ReturnType<typeof decodeCheckpoint> };
type Outage = { a: Stored; b: Stored; published: TelemetryFrame[]; restarted: Hub; M: number; settledBefore: number; time: ScaledTime };

/**
 * The script against two hubs on one stream: `reference` reads it all along; `first` is stopped
 * by `how` at KILL_AT and a second hub started on its data at RESTART_AT. `'SIGTERM+trim'` also
 * trims the stream while it is down, to 20 s (fleet time) before the stop — as a MAXLEN trim of a
 * busy stream would.
 */
async function outage(redis: ReturnType<typeof redisFixture>, temps: { remove(): void }[], how: 'SIGKILL' | 'SIGTERM+trim'): Promise<Outage> {
  const stream = redis.key('resume');
  const [dirA, dirB] = [makeTempDir('pulse-resume-a-'), makeTempDir('pulse-resume-b-')];
  temps.push(dirA, dirB);
  // Scaled time starts 20 s before a whole minute M; the script starts at M + 5 s, so the hub
  // stops 45 s into minute M+1 and is back 35 s into M+2: M+1 ends and settles while it is away.
  const M = Math.ceil(Date.now() / MIN) * MIN + MIN;
  const time: ScaledTime = { origin: Date.now(), start: M - 20 * S, speed: SPEED };
  const clock = scaledClock(time);
  const s0 = M + 5 * S;

  const [reference, first] = await Promise.all([startHubProcess(dirA.dir, stream, time), startHubProcess(dirB.dir, stream, time)]);
  const publisher = createRedisBus({ url: REDIS_URL, stream });
  const gateways = new Map(['gw-a', 'gw-b'].map((gw, i) => [gw, createAggregator({ gatewayId: gw, run: time.start + i })]));
  const pending = script(s0);
  const published: TelemetryFrame[] = [];
  let second: Promise<Hub> | undefined;
  let trimFrom = '';
  for (let t = s0; t <= s0 + STOP * S; t += S) {
    await untilScaled(clock, t, SPEED);
    while (pending.length > 0 && (pending[0] as ProbeEvent).t < t) {
      const e = pending.shift() as ProbeEvent;
      gateways.get(e.gw)!.add(e);
    }
    // Stream ids are Redis's wall clock: entries published from here on survive the trim.
    if (t === s0 + (KILL_AT - 20) * S) trimFrom = `${Date.now()}-0`;
    for (const agg of gateways.values()) {
      const frame = agg.flush(t);
      published.push(frame);
      publisher.publish(frame);
    }
    if (t === s0 + KILL_AT * S) {
      if (how === 'SIGKILL') expect(await first.stop('SIGKILL')).toBeNull();
      else {
        expect(await first.stop('SIGTERM')).toBe(0);
        expect(await redis.admin.xtrim(stream, 'MINID', trimFrom)).toBeGreaterThan(0);
      }
    }
    // Not awaited: the gateways keep publishing while it starts, as they would.
    if (t === s0 + RESTART_AT * S) second = startHubProcess(dirB.dir, stream, time);
  }
  await publisher.close();
  const restarted = await second!;
  // Minutes up to M+4 settled while the gateways were still publishing (M+4 + 5 s < STOP): no
  // gateway went quiet in them. Both hubs stop cleanly.
  const settledBefore = M + 4 * MIN;
  expect(await Promise.all([reference.stop('SIGTERM'), restarted.stop('SIGTERM')])).toEqual([0, 0]);

  const read = async (dir: string): Promise<Stored> => {
    const { store } = await openSqliteStore({ dataDir: dir });
    try {
      return {
        events: await store.readEvents({ from: 0, to: Number.MAX_SAFE_INTEGER }),
        minutes: await store.readMinutes({ from: M - MIN, to: settledBefore }),
        checkpoint: decodeCheckpoint(await store.readCheckpoint(checkpointName(stream))),
      };
    } finally {
      await store.close();
    }
  };
  return { a: await read(dirA.dir), b: await read(dirB.dir), published, restarted, M, settledBefore, time };
}

/** The restarted hub's store holds what the reference's does: every event once, the same minutes. */
function expectSameAsReference({ a, b, published, M }: Outage): void {
  // Every lifecycle event published is stored exactly once, by both.
  const key = (e: LifecycleEvent) => JSON.stringify(e);
  const sent = published.flatMap((f) => f.lifecycle).map(key).sort();
  expect(sent.length).toBeGreaterThanOrEqual(24); // 14 opens, 7 closes, a limit hit, 2 refused tokens (and a late-heartbeat record)
  expect(a.events.map(key).sort()).toEqual(sent);
  expect(b.events.map(key).sort()).toEqual(sent);

  // The same minutes, with the same counts; terminal-time to a tick per change of state.
  const byKey = (rows: RestaurantMinute[]) => new Map(rows.map((r) => [`${r.rid}@${(r.minute - M) / MIN}`, r]));
  const [ma, mb] = [byKey(a.minutes), byKey(b.minutes)];
  expect([...mb.keys()].sort()).toEqual([...ma.keys()].sort());
  expect([...ma.keys()]).toEqual(expect.arrayContaining(['r1@0', 'r1@1', 'r1@2', 'r1@3', 'r2@1', 'r3@2']));
  for (const [k, ra] of ma) {
    const rb = mb.get(k)!;
    const exact = (r: RestaurantMinute) => Object.fromEntries(Object.entries(r.counters).filter(([c]) => EXACT.test(c)));
    expect(exact(rb), k).toEqual(exact(ra));
    for (const c of TIME) expect(Math.abs((rb.counters[c] ?? 0) - (ra.counters[c] ?? 0)), `${k} ${c}`).toBeLessThanOrEqual(3 * S);
    expect(Math.abs((rb.counters.hbExpected ?? 0) - (ra.counters.hbExpected ?? 0)), `${k} hbExpected`).toBeLessThanOrEqual(2);
    for (const h of ['rtt', 'duration']) expect(decodeHistogram(rb.histograms[h] ?? '')?.count, `${k} ${h}`).toBe(decodeHistogram(ra.histograms[h] ?? '')?.count);
  }
  // Against the script: every open and every reconnect, counted once — the one across the
  // restart (r2-t4: closed at 90 s, back at 120 s while the hub was down) included.
  const total = (rows: RestaurantMinute[], c: string, rid?: string) => rows.filter((r) => rid === undefined || r.rid === rid).reduce((n, r) => n + (r.counters[c] ?? 0), 0);
  expect(total(b.minutes, 'opens')).toBe(spans.length);
  expect(total(b.minutes, 'reconnects')).toBe(6);
  expect(total(b.minutes, 'reconnects', 'r2')).toBe(1);
  expect(total(b.minutes, 'hbLate')).toBe(1);
}

describe.skipIf(skip)('hub resume over the Redis bus (real Redis, real processes)', () => {
  const redis = redisFixture(REDIS_URL);
  const temps: { remove(): void }[] = [];
  afterEach(() => {
    for (const kill of running.splice(0)) kill();
    for (const t of temps.splice(0)) t.remove();
  });
  afterAll(() => redis.cleanup());

  it('replays what the killed hub (kill -9) had not stored: every event once, every minute as a hub that never died', { timeout: 120_000 }, async () => {
    const run = await outage(redis, temps, 'SIGKILL');
    // The restarted hub said what it did.
    expect(run.restarted.err()).toMatch(/previous run did not shut down cleanly; replaying the bus after \d+-\d+/);
    expectSameAsReference(run);
    // And the checkpoint moved past the outage.
    expect(run.b.checkpoint?.minutesBefore).toBeGreaterThanOrEqual(run.settledBefore);
    expect(run.b.checkpoint?.gateways).toMatchObject({ 'gw-a': { run: run.time.start }, 'gw-b': { run: run.time.start + 1 } });
  });

  it('a clean stop writes the minute it stops in, so a stream trimmed meanwhile loses nothing, and nothing is written twice', { timeout: 120_000 }, async () => {
    const run = await outage(redis, temps, 'SIGTERM+trim');
    expect(run.restarted.err()).not.toContain('did not shut down cleanly');
    expectSameAsReference(run);
    expect(run.b.checkpoint?.minutesBefore).toBeGreaterThanOrEqual(run.settledBefore);
    // The first stop's seal was dropped once the next run wrote the rest of that minute; the one
    // left is the restarted hub's own clean stop.
    expect(run.b.checkpoint?.sealed?.at).toBeGreaterThan(run.settledBefore);
  });
});
