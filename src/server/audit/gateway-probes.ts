/**
 * The socket-driving half of the checks after the handshake: each opens its own terminals (ids
 * suffixed by what they do, so no two share an identity and a gateway that drops duplicates
 * cannot mix them up), does what the check says, and hands the records to its judge.
 */
import type { Judged } from './audit-report.ts';
import type { AuditSocket, Way } from './audit-socket.ts';
import { pongsOf } from './audit-socket.ts';
import {
  judgeFlood,
  judgeFrameSize,
  judgeInvalid,
  judgeIsolation,
  judgeKept,
  judgePong,
  judgeSilence,
  oversizedSeq,
  silenceDeadlineMs,
  type GatewayCheckId,
  type RefusalAttempt,
} from './gateway-checks.ts';
import type { Forgery } from './forged-tokens.ts';
import { posLimits } from '../../protocol/pos-messages.ts';

export interface Driver {
  open(way: Way, token: string | null, onOpen?: (s: AuditSocket) => void): AuditSocket;
  /** The way the gateway takes tokens (the subprotocol when it does). */
  way: Way;
  now(): number;
  answerMs: number;
  /** A good token for terminal `<terminal>-<suffix>` of `rid` (default: the audited restaurant). */
  issue(suffix: string, rid?: string): string;
}

/** Every terminal the checks below open besides the first: `<terminal>-<suffix>`, in the other restaurant when `other`. */
export const auditTerminals: readonly { suffix: string; other?: boolean }[] = [
  { suffix: 'ping' },
  { suffix: 'size' },
  { suffix: 'size-after' },
  { suffix: 'junk' },
  { suffix: 'flood' },
  { suffix: 'a' },
  { suffix: 'b' },
  { suffix: 'b', other: true },
  { suffix: 'silent' },
  { suffix: 'alive' },
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pongTo = (seq: number) => (f: { message: { type: string; seq?: number } | null }) => f.message?.type === 'pong' && f.message.seq === seq;

/** Opens a terminal and waits until the gateway answers its first ping: its listeners are in place. */
async function ready(d: Driver, suffix: string, rid?: string): Promise<AuditSocket> {
  const s = d.open(d.way, d.issue(suffix, rid), (self) => self.ping(1));
  if (await s.settled) await s.waitFrame(pongTo(1), d.answerMs);
  return s;
}

/** Each bad token by each way the gateway takes, a ping sent in the open event: what came back. */
export async function runForgeries(d: Driver, ways: readonly Way[], forgeries: readonly Forgery[]): Promise<RefusalAttempt[]> {
  return Promise.all(
    forgeries.flatMap((forgery) =>
      ways.map(async (way) => {
        const s = d.open(way, forgery.token, (self) => self.ping(1));
        if (await s.settled) await s.waitClose(d.answerMs);
        await s.end();
        return { forgery, way, record: s.record };
      }),
    ),
  );
}

/** Five pings, the first in the open event itself, 50 ms apart. */
export async function runPongCheck(d: Driver): Promise<Judged> {
  const sent: { seq: number; at: number }[] = [];
  const s = d.open(d.way, d.issue('ping'), (self) => {
    const at = self.ping(1);
    if (at !== null) sent.push({ seq: 1, at });
  });
  if (!(await s.settled)) return judgePong(s.record, [{ seq: 1, at: s.record.startedAt }]);
  for (let seq = 2; seq <= 5; seq++) {
    await sleep(50);
    const at = s.ping(seq);
    if (at !== null) sent.push({ seq, at });
  }
  await s.waitFrame(pongTo(5), d.answerMs);
  return judgePong(s.record, sent);
}

/** 1 KiB over the protocol's limit: a gateway with a limit of its own above that is held to 64 KiB. */
export const oversizedFrameBytes = posLimits.maxFrameBytes + 1024;
export const floodSize = 300;

export const runLimitChecks: Record<'limits.frame-size' | 'limits.invalid' | 'limits.flood', (d: Driver) => Promise<Judged>> = {
  async 'limits.frame-size'(d) {
    const s = await ready(d, 'size');
    const head = JSON.stringify({ type: 'ping', seq: oversizedSeq, timestamp: d.now(), pad: '' });
    s.send(head.replace('"pad":""', `"pad":"${'x'.repeat(oversizedFrameBytes - head.length)}"`));
    // Whichever comes first: the refusal, or the pong that says the frame was taken.
    await s.waitFrame(pongTo(oversizedSeq), d.answerMs);
    await s.waitClose(Math.min(200, d.answerMs));
    // The next terminal must still be served: an unhandled oversized-frame error kills some servers.
    const after = await ready(d, 'size-after');
    const servesAfter = after.record.openedAt === null ? false : pongsOf(after.record).length > 0;
    await after.end();
    return judgeFrameSize(s.record, oversizedFrameBytes, servesAfter);
  },
  async 'limits.invalid'(d) {
    const s = await ready(d, 'junk');
    s.send('this is not json');
    s.ping(2);
    // A pong to the ping after the junk means the junk was ignored; a refusal comes before it.
    await s.waitFrame(pongTo(2), d.answerMs);
    await s.waitClose(Math.min(200, d.answerMs));
    return judgeInvalid(s.record);
  },
  async 'limits.flood'(d) {
    const s = await ready(d, 'flood');
    const before = pongsOf(s.record).length;
    const t0 = d.now();
    for (let seq = 10; seq < 10 + floodSize; seq++) s.ping(seq);
    const burstMs = d.now() - t0;
    await s.waitFrame(pongTo(10 + floodSize - 1), d.answerMs);
    await s.waitClose(Math.min(500, d.answerMs));
    // The pong to the readiness ping is not part of the flood.
    const record = { ...s.record, frames: s.record.frames.slice(before) };
    return judgeFlood(record, floodSize, burstMs);
  },
};

export async function runIsolationCheck(d: Driver, o: { rid: string; otherRid: string; orderUrl?: string }): Promise<Judged> {
  const [sender, same, other] = await Promise.all([ready(d, 'a'), ready(d, 'b'), ready(d, 'b', o.otherRid)]);
  const orderId = `audit-${d.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const order = { id: orderId, status: 'open' as const, table: 'audit' };
  let how: string;
  if (o.orderUrl) {
    how = `POSTed to ${o.orderUrl}`;
    const res = await fetch(o.orderUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ restaurantId: o.rid, order }) });
    how += ` (HTTP ${res.status})`;
    await res.body?.cancel();
  } else {
    how = 'sent as an order frame by another terminal of the restaurant';
    sender.send(JSON.stringify({ type: 'order', seq: 1, timestamp: d.now(), order }));
  }
  const carries = (f: { text: string }) => f.text.includes(orderId);
  await same.waitFrame(carries, d.answerMs);
  // What reached the same restaurant had as long again to reach the other one.
  await other.waitFrame(carries, Math.min(500, d.answerMs));
  return judgeIsolation({ how, orderId, rid: o.rid, otherRid: o.otherRid, same: same.record, other: other.record });
}

export interface HeartbeatHooks {
  start(id: GatewayCheckId, note: string): void;
  done(id: GatewayCheckId, startedMs: number, judged: Judged): void;
}

/**
 * A silent terminal (one ping at open, then nothing, socket kept) and a pinging one side by side,
 * for as long as the gateway has to drop the silent one: the timeout, and that it hits only the silent.
 */
export async function runHeartbeatChecks(d: Driver, h: { intervalMs: number; graceMs: number }, hooks: HeartbeatHooks): Promise<void> {
  // The sweep of a gateway that checks liveness periodically adds up to one period to the deadline.
  const toleranceMs = Math.max(500, Math.round(h.intervalMs / 4));
  const deadline = silenceDeadlineMs({ ...h, toleranceMs });
  const started = d.now();
  hooks.start('heartbeat.timeout', `waiting up to ${(deadline / 1000).toFixed(1)} s for the gateway to drop a silent terminal`);
  hooks.start('heartbeat.kept', `pinging every ${h.intervalMs} ms meanwhile`);
  let lastSentAt = started;
  const silent = d.open(d.way, d.issue('silent'), (self) => (lastSentAt = self.ping(1) ?? lastSentAt));
  let pings = 0;
  const alive = d.open(d.way, d.issue('alive'), (self) => self.ping(++pings));
  const [silentOpen] = await Promise.all([silent.settled, alive.settled]);
  const timer = setInterval(() => alive.ping(++pings), h.intervalMs);
  try {
    if (silentOpen) await silent.waitClose(Math.max(0, lastSentAt + deadline - d.now()));
    // The pinging terminal is held at least as long as the silent one had.
    const heldUntil = Math.max(lastSentAt + 2 * h.intervalMs + h.graceMs, silent.record.close?.at ?? 0);
    if (heldUntil > d.now()) await alive.waitClose(heldUntil - d.now());
  } finally {
    clearInterval(timer);
  }
  hooks.done('heartbeat.timeout', started, judgeSilence({ record: silent.record, lastSentAt, intervalMs: h.intervalMs, graceMs: h.graceMs, toleranceMs }));
  hooks.done('heartbeat.kept', started, judgeKept(alive.record, pings, d.now() - (alive.record.openedAt ?? started)));
  await Promise.all([silent.end(), alive.end()]);
}
