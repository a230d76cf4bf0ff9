/**
 * A terminal's events written the way the gateway's probe emits them, with times in seconds after
 * `T0` so tables read as a story ("open at 100, closed 1006 at 160"), and readers that turn a
 * timeline back into short strings a table can compare.
 */
import { causeOfClose } from '../../../protocol/close-codes.ts';
import type { CloseCause } from '../../../protocol/close-codes.ts';
import type { AuthFailReason, LimitKind, ProbeEventOf } from '../../../protocol/probe-events.ts';
import type { HeartbeatLateEvent } from '../../../protocol/telemetry.ts';
import type { Attempt, HeartbeatCell, HeartbeatSample, Segment, Timeline } from '../timeline-types.ts';

/** 2026-11-26 19:00:00 UTC: a whole hour, so clock times in tests read as 19:xx. */
export const T0 = Date.UTC(2026, 10, 26, 19, 0, 0);
export const RID = 'r-001';
export const TID = 'r-001-t1';
const GW = 'gw-1';

export const at = (s: number): number => T0 + Math.round(s * 1000);
export const sec = (t: number): number => (t - T0) / 1000;

/** Codes whose close the gateway sends (or whose connection it terminates). */
const serverCodes = new Set([1001, 1008, 1009, 1011, 1013, 4003, 4008]);

export const e = {
  open: (s: number, conn: string, gw = GW): ProbeEventOf<'open'> => ({ type: 'open', gw, t: at(s), rid: RID, tid: TID, conn, via: 'subprotocol' }),
  close: (s: number, conn: string, code: number, upS: number, o: { reason?: string; byServer?: boolean; cause?: CloseCause; gw?: string } = {}): ProbeEventOf<'close'> => {
    const byServer = o.byServer ?? serverCodes.has(code);
    return { type: 'close', gw: o.gw ?? GW, t: at(s), rid: RID, tid: TID, conn, code, cause: o.cause ?? causeOfClose(code, byServer), reason: o.reason ?? '', byServer, durationMs: Math.round(upS * 1000) };
  },
  authFail: (s: number, reason: AuthFailReason = 'expired'): ProbeEventOf<'auth_fail'> => ({ type: 'auth_fail', gw: GW, t: at(s), reason, claimedRid: RID, claimedTid: TID }),
  limit: (s: number, conn: string, kind: LimitKind, detail: string = kind): ProbeEventOf<'limit'> => ({ type: 'limit', gw: GW, t: at(s), rid: RID, tid: TID, conn, kind, detail }),
  /** The gateway's record of a ping `gapS` seconds after the previous one (or the open). */
  late: (s: number, conn: string, gapS: number, rtt?: number): HeartbeatLateEvent => {
    const late: HeartbeatLateEvent = { type: 'heartbeat_late', gw: GW, t: at(s), rid: RID, tid: TID, conn, gapMs: Math.round(gapS * 1000) };
    if (rtt !== undefined) late.rtt = rtt;
    return late;
  },
  beat: (s: number, conn: string, onTime = true, rtt?: number): HeartbeatSample =>
    rtt === undefined ? { type: 'heartbeat', gw: GW, t: at(s), conn, onTime } : { type: 'heartbeat', gw: GW, t: at(s), conn, onTime, rtt },
  ack: (s: number, conn: string, latencyMs: number, seq = 1): ProbeEventOf<'ack'> => ({ type: 'ack', gw: GW, t: at(s), rid: RID, tid: TID, conn, seq, latencyMs }),
  traffic: (s: number, conn: string, dir: 'in' | 'out' = 'in'): ProbeEventOf<'traffic'> => ({ type: 'traffic', gw: GW, t: at(s), rid: RID, tid: TID, conn, dir, bytes: 40 }),
};

/** Heartbeats every `every` s from `fromS` while before `toS`. */
export function beats(conn: string, fromS: number, toS: number, every = 15, rtt?: number): HeartbeatSample[] {
  const out: HeartbeatSample[] = [];
  for (let s = fromS; s < toS; s += every) out.push(e.beat(s, conn, true, rtt));
  return out;
}

/** "connected 100-160 c1", "disconnected 160-163 1006", "unknown 0-100"; a trailing "…" = ongoing. */
export function segmentText(s: Segment): string {
  const span = `${sec(s.start)}-${sec(s.end)}${s.ongoing ? '…' : ''}`;
  if (s.state === 'connected') return `connected ${span} ${s.conn}`;
  if (s.state === 'disconnected') return `disconnected ${span} ${s.by.code}`;
  return `unknown ${span}`;
}

/** "open c2 @163 #0 +3s", "auth_fail @170 #1 +0.5s !" (! = backoff_not_respected, ? = not judged). */
export function attemptText(a: Attempt): string {
  const delay = a.delayMs === null ? '' : ` +${a.delayMs / 1000}s`;
  const mark = a.flags.includes('backoff_not_respected') ? ' !' : a.judged ? '' : ' ?';
  return `${a.kind}${a.conn ? ` ${a.conn}` : ''} @${sec(a.t)} #${a.attempt}${delay}${mark}`;
}

/** "0-15 on_time" … */
export function cellText(c: HeartbeatCell): string {
  return `${sec(c.start)}-${sec(c.end)} ${c.status}`;
}

export function read(t: Timeline): { segments: string[]; attempts: string[]; codes: number[] } {
  return { segments: t.segments.map(segmentText), attempts: t.attempts.map(attemptText), codes: t.disconnects.map((d) => d.code) };
}

/** A time-zone-independent clock for reports: UTC "HH:MM". */
export const utcClock = (t: number): string => new Date(t).toISOString().slice(11, 16);
