/**
 * The state machine behind the timeline: one walk over a terminal's ordered lifecycle events that
 * yields its connected / disconnected segments, its disconnects and its reconnect attempts judged
 * against the backoff policy. Segments here are not yet clipped to a window (the first may start
 * at -Infinity, the last end at +Infinity); `buildTimeline` clips them.
 */
import { backoffBounds, type BackoffPolicy } from '../backoff.ts';
import { CloseCode } from '../../protocol/close-codes.ts';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { compareEvents } from './event-order.ts';
import type { Attempt, ConnectionState, Disconnect, Segment } from './timeline-types.ts';

/**
 * One connection of the terminal. Keyed by `conn` alone: samples may not name their gateway, and
 * the reference gateway's ids are unique across gateways (prefixed with its start time).
 */
export interface Connection {
  conn: string;
  openedAt: number;
  /** When it stopped being the terminal's connection: its close, a newer open, or +Infinity. */
  endAt: number;
  endedBy: Disconnect | null;
}

export interface WalkOptions {
  stableAfterMs: number;
  backoffTolerance: number;
  backoff?: Partial<BackoffPolicy> | undefined;
  /** See TimelineOptions.heartbeatsFrom. */
  heartbeatsFrom: number;
  /** Each connection's first heartbeat known (sampled or late): the socket counts a connection stable only after a pong. */
  firstBeat: ReadonlyMap<string, number>;
  /** Each connection's first sign of life (a sample, or the ping before a late one): proof it was open when no open event says so. */
  firstSample: ReadonlyMap<string, number>;
}

export interface Walk {
  segments: Segment[];
  disconnects: Disconnect[];
  attempts: Attempt[];
  connections: Connection[];
}

type Inferred = false | 'duration' | 'sample';
type Step = { e: LifecycleEvent; inferred: Inferred };

/**
 * Opens that the events imply but do not hold: a close carries its connection's age, so the open
 * of a connection that began before the events did is known exactly; a connection seen only
 * through samples was open at least from its first one.
 */
function withInferredOpens(events: readonly LifecycleEvent[], firstSample: ReadonlyMap<string, number>): Step[] {
  const opened = new Set<string>();
  const closed = new Set<string>();
  for (const e of events) {
    if (e.type === 'open') opened.add(e.conn);
    else if (e.type === 'close') closed.add(e.conn);
  }
  const steps: Step[] = events.map((e) => ({ e, inferred: false }));
  const synth = (conn: string, t: number, like: { gw: string; rid: string; tid: string }, inferred: Inferred): void => {
    steps.push({ e: { type: 'open', gw: like.gw, t, rid: like.rid, tid: like.tid, conn, via: 'subprotocol' }, inferred });
    opened.add(conn);
  };
  for (const e of events) {
    if (e.type === 'close' && !opened.has(e.conn)) synth(e.conn, e.t - e.durationMs, e, 'duration');
  }
  for (const [conn, t] of firstSample) {
    if (!opened.has(conn) && !closed.has(conn)) synth(conn, t, { gw: '', rid: '', tid: '' }, 'sample');
  }
  return steps.sort((a, b) => compareEvents(a.e, b.e));
}

function disconnectOfClose(e: ProbeEventOf<'close'>, limit: Disconnect['limit']): Disconnect {
  return { t: e.t, source: 'close', code: e.code, cause: e.cause, reason: e.reason, byServer: e.byServer, conn: e.conn, durationMs: e.durationMs, limit, overlapping: false };
}

/**
 * Whether the time from this disconnect to the next attempt measures the terminal's backoff. Not
 * after a heartbeat timeout (the gateway buries the connection two intervals plus grace after it
 * went quiet, so the terminal's own wait began earlier), nor after the terminal closed on purpose.
 */
function measuresBackoff(d: Disconnect): boolean {
  if (d.cause === 'heartbeat_timeout') return false;
  return d.byServer || (d.code !== CloseCode.normal && d.code !== CloseCode.goingAway);
}

export function walkConnections(ordered: readonly LifecycleEvent[], o: WalkOptions): Walk {
  const out: Walk = { segments: [], disconnects: [], attempts: [], connections: [] };
  const byConn = new Map<string, Connection>();
  const limits = new Map<string, NonNullable<Disconnect['limit']>>();
  let open: Connection | null = null;
  let openInferred = false;
  // Asserted, not narrowed: `enter` changes it behind the compiler's back.
  let state = 'unknown' as ConnectionState;
  let since = -Infinity;
  let by: Disconnect | null = null;
  let attemptNo = 0;
  /** The close or refused token the next attempt is measured from, while disconnected. */
  let previous: { t: number; code: number; judgeable: boolean } | null = null;

  const enter = (next: ConnectionState, t: number, nextBy: Disconnect | null, ongoing = false): void => {
    if (t > since) {
      if (state === 'connected' && open) {
        out.segments.push({ state, start: since, end: t, conn: open.conn, openedAt: open.openedAt, ongoing, inferred: openInferred });
      } else if (state === 'disconnected' && by) {
        out.segments.push({ state, start: since, end: t, by, ongoing });
      } else {
        out.segments.push({ state: 'unknown', start: since, end: t, ongoing });
      }
    }
    state = next;
    since = t;
    by = nextBy;
  };

  const attempt = (t: number, kind: Attempt['kind'], conn: string | null, from: typeof previous): void => {
    const { minMs, maxMs } = backoffBounds(attemptNo, o.backoff);
    const delayMs = from ? t - from.t : null;
    const judged = from !== null && from.judgeable;
    const tooSoon = judged && delayMs !== null && delayMs < minMs * (1 - o.backoffTolerance);
    out.attempts.push({ t, kind, conn, attempt: attemptNo, delayMs, afterCode: from?.code ?? null, minMs, maxMs, judged, flags: tooSoon ? ['backoff_not_respected'] : [] });
    attemptNo++;
  };

  // The socket resets its attempts once a connection stayed up long enough and got a pong.
  const endConnection = (c: Connection, t: number, endedBy: Disconnect | null): void => {
    c.endAt = t;
    c.endedBy = endedBy;
    const first = o.firstBeat.get(c.conn);
    const pongKnown = o.heartbeatsFrom > c.openedAt || (first !== undefined && first <= t);
    if (t - c.openedAt >= o.stableAfterMs && pongKnown) attemptNo = 0;
  };

  for (const { e, inferred } of withInferredOpens(ordered, o.firstSample)) {
    switch (e.type) {
      case 'open': {
        if (byConn.has(e.conn)) break; // a repeat through another path
        const c: Connection = { conn: e.conn, openedAt: e.t, endAt: Infinity, endedBy: null };
        if (open) {
          // The terminal opened anew while the gateway still held its old connection (half-open).
          endConnection(open, e.t, null);
          if (inferred !== 'sample') attempt(e.t, 'open', e.conn, null);
        } else if (state === 'disconnected' && inferred !== 'sample') {
          attempt(e.t, 'open', e.conn, previous);
        }
        enter('connected', e.t, null);
        open = c;
        openInferred = inferred !== false;
        previous = null;
        byConn.set(c.conn, c);
        out.connections.push(c);
        break;
      }
      case 'close': {
        const d = disconnectOfClose(e, limits.get(e.conn) ?? null);
        limits.delete(e.conn);
        if (open && open.conn === e.conn) {
          endConnection(open, e.t, d);
          enter('disconnected', e.t, d);
          open = null;
          previous = { t: e.t, code: e.code, judgeable: measuresBackoff(d) };
        } else {
          d.overlapping = true;
          const c = byConn.get(e.conn);
          if (c && c.endedBy === null) c.endedBy = d;
        }
        out.disconnects.push(d);
        break;
      }
      case 'auth_fail': {
        const d: Disconnect = { t: e.t, source: 'auth_fail', code: CloseCode.invalidToken, cause: 'auth_failed', reason: e.reason, byServer: true, conn: null, durationMs: null, limit: null, overlapping: open !== null };
        if (open) {
          attempt(e.t, 'auth_fail', null, null);
        } else {
          if (state === 'disconnected') attempt(e.t, 'auth_fail', null, previous);
          enter('disconnected', e.t, d);
          // The terminal got its 4001 at once: its next wait starts here.
          previous = { t: e.t, code: d.code, judgeable: true };
        }
        out.disconnects.push(d);
        break;
      }
      case 'limit':
        limits.set(e.conn, { kind: e.kind, detail: e.detail });
        break;
      case 'heartbeat_late':
      case 'rtt_implausible':
        break; // the heartbeat strip's and the diagnosis' business; it changes no state
    }
  }
  enter(state, Infinity, by, true);
  return out;
}
