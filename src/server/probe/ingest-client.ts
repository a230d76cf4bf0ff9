/**
 * The probe side of the open ingest (src/protocol/ingest.ts): takes raw connection events from a
 * probe's hot path and gets them to the hub in batches, without ever hurting the gateway it
 * watches.
 *
 *   const client = createIngestClient({ gatewayId: 'gw-eu-1', transport: wsIngestTransport({ hub, token }) });
 *   client.push({ type: 'ping', t, conn, rtt })    // never throws, never blocks
 *   await client.close()                           // sends what is left, waits briefly for acks
 *   await client.close(2000, { goodbye: true })    // … as the run's last batch: the gateway stopped
 *
 * - A batch goes out every `flushMs` (empty or not: it tells the hub the probe is alive) or as
 *   soon as `batchMax` events wait.
 * - The buffer is bounded: when the hub is slow or gone, the oldest events are dropped *and
 *   counted*; the count travels with the next batch (`dropped`) and is on the client's stats.
 * - A batch stays unacknowledged until the hub answers. `busy` → the same batch again after
 *   `retryAfterMs`, and no new batches meanwhile (they wait in the bounded buffer). On reconnect
 *   every unacknowledged batch is resent (the hub drops the ones it had).
 * - A reconnect re-announces (`open` with `resumed`) the connections a restarted hub must know
 *   *before* that backlog: those whose open the hub acknowledged and that are still open or whose
 *   close is still to come, and those still open whose own open never left (dropped from the full
 *   buffer). They go at the head of the first resent batch, under its seq: announced after the
 *   backlog, a restarted hub refused the backlog's pings as UNKNOWN_CONNECTION (998 of them in
 *   node/hub-restart.test.ts); announced in a batch of their own with a newer seq ahead of it, a
 *   restarted hub's ledger would start past the backlog and drop it as duplicates. A hub that kept
 *   running ignores a `resumed` open of a connection it knows, or drops the batch as a duplicate.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { encodeIngestBatch, INGEST_VERSION, ingestLimits, type IngestAnswer, type IngestBatch, type RawEvent } from '../../protocol/ingest.ts';

export interface IngestTransport {
  /** Sends one batch's text; false when it cannot now (not connected): it will be resent. */
  send(text: string): boolean;
  connected(): boolean;
  /** `ready`: connected (again) — unacknowledged batches are resent. */
  start(handlers: { answer(a: IngestAnswer): void; ready(): void }): void;
  close(): Promise<void>;
}

export interface IngestClientLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface IngestClientOptions {
  gatewayId: string;
  transport: IngestTransport;
  clock?: Clock;
  /** This probe's run (its start, ms since epoch); default the clock at creation. */
  run?: number;
  flushMs?: number;
  batchMax?: number;
  /** Events held at most before the oldest are dropped (counted); default 100,000. */
  maxBufferedEvents?: number;
  /** Batches awaiting an answer at most; past it no new batch is made (events wait in the buffer). */
  maxUnacked?: number;
  /**
   * Connections open now (`open` events), consulted after a reconnect: re-announced if the hub never
   * took their open (it was dropped), and telling which acknowledged ones are gone for good.
   */
  openConnections?: () => RawEvent[];
  logger?: IngestClientLogger;
}

export interface IngestClientStats {
  buffered: number;
  batchesSent: number;
  batchesAcked: number;
  unacked: number;
  eventsSent: number;
  eventsRefused: number;
  /** Events dropped from the full buffer (the hub slow or gone). */
  dropped: number;
  busyAnswers: number;
  batchErrors: number;
}

export interface IngestClient {
  push(event: RawEvent): void;
  stats(): IngestClientStats;
  /**
   * Sends what is buffered, waits up to `waitMs` for the answers, closes the transport. `goodbye`:
   * the gateway stopped on purpose — the last batch says so (docs/telemetry.md), and the hub reads
   * the gateway stopped instead of lost. Only when everything left fits in the batches it may send
   * now: a goodbye must come after every event of the run, or the hub would refuse the rest.
   */
  close(waitMs?: number, options?: { goodbye?: boolean }): Promise<void>;
}

export function createIngestClient(o: IngestClientOptions): IngestClient {
  const clock = o.clock ?? systemClock();
  const run = o.run ?? clock.now();
  const flushMs = o.flushMs ?? 1000;
  const batchMax = o.batchMax ?? 1000;
  const maxBuffered = o.maxBufferedEvents ?? 100_000;
  const maxUnacked = o.maxUnacked ?? 64;
  let buffer: RawEvent[] = [];
  let head = 0;
  /** `head`: the re-announcement put in front of the batch's own events at the last reconnect. */
  const unacked = new Map<number, { batch: IngestBatch; head: RawEvent[]; text: string }>();
  /** Connections whose open the hub acknowledged, with no acknowledged close since: what it knows. */
  const known = new Map<string, Extract<RawEvent, { type: 'open' }>>();
  let seq = 0;
  let droppedSinceBatch = 0;
  let pausedUntil = 0;
  let timer: TimerHandle | undefined;
  let soon = false;
  let closed = false;
  const s: IngestClientStats = { buffered: 0, batchesSent: 0, batchesAcked: 0, unacked: 0, eventsSent: 0, eventsRefused: 0, dropped: 0, busyAnswers: 0, batchErrors: 0 };
  let drained: (() => void) | null = null;

  const waiting = () => buffer.length - head;

  function makeBatch(events: RawEvent[], goodbye = false): void {
    const batch: IngestBatch = { v: INGEST_VERSION, gw: o.gatewayId, run, seq: ++seq, t: clock.now(), events, ...(droppedSinceBatch ? { dropped: droppedSinceBatch } : {}), ...(goodbye ? { goodbye } : {}) };
    const text = encodeIngestBatch(batch);
    droppedSinceBatch = 0;
    unacked.set(seq, { batch, head: [], text });
    s.batchesSent++;
    s.eventsSent += events.length;
    o.transport.send(text);
  }

  /** `goodbye`: the batch that leaves nothing waiting says it (see `close`). */
  function flush(goodbye = false): void {
    soon = false;
    if (clock.now() < pausedUntil) return;
    do {
      if (unacked.size >= maxUnacked) return;
      const n = Math.min(batchMax, waiting());
      makeBatch(buffer.slice(head, head + n), goodbye && n === waiting());
      head += n;
    } while (waiting() >= batchMax);
    if (head > 4096 || head === buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
  }

  function schedule(): void {
    timer = clock.setTimeout(() => {
      if (closed) return;
      flush();
      schedule();
    }, flushMs);
  }

  function resend(): void {
    for (const { text } of unacked.values()) if (!o.transport.send(text)) return;
  }

  /** What the hub took: opens and closes of an acknowledged batch (a duplicate too: it had it). */
  function learn(events: readonly RawEvent[]): void {
    for (const e of events) {
      if (e.type === 'open') known.set(e.conn, e);
      else if (e.type === 'close') known.delete(e.conn);
    }
  }

  /** The `resumed` opens a restarted hub needs before the backlog (see the module comment). */
  function reannouncement(): RawEvent[] {
    const pendingOpen = new Set<string>();
    const pendingClose = new Set<string>();
    const note = (e: RawEvent) => {
      if (e.type === 'open' && !e.resumed) pendingOpen.add(e.conn);
      else if (e.type === 'close') pendingClose.add(e.conn);
    };
    for (const u of unacked.values()) for (const e of u.batch.events) note(e);
    for (let i = head; i < buffer.length; i++) note(buffer[i]!);
    const openNow = new Map<string, RawEvent>();
    for (const e of o.openConnections?.() ?? []) if (e.type === 'open') openNow.set(e.conn, e);
    const out: RawEvent[] = [];
    for (const [conn, e] of known) {
      // Neither open nor closing: its close was dropped from the full buffer; the hub ends it with the run.
      // (Without `openConnections` there is no telling: every known one is re-announced.)
      if (o.openConnections && !openNow.has(conn) && !pendingClose.has(conn)) known.delete(conn);
      else out.push({ ...e, resumed: true });
    }
    // Not one whose own open still waits: re-announced first, its real open would be refused as a
    // second open, and lost (the Node probe's test caught it).
    for (const [conn, e] of openNow) if (!known.has(conn) && !pendingOpen.has(conn)) out.push({ ...e, resumed: true } as RawEvent);
    return out;
  }

  function onAnswer(a: IngestAnswer): void {
    if (a.type === 'busy') {
      s.busyAnswers++;
      pausedUntil = clock.now() + a.retryAfterMs;
      clock.setTimeout(() => {
        const u = unacked.get(a.seq);
        if (u !== undefined) o.transport.send(u.text);
      }, a.retryAfterMs);
      return;
    }
    if (a.seq === undefined) {
      s.batchErrors++;
      o.logger?.warn({ code: a.type === 'error' ? a.code : undefined }, 'ingest: the hub refused a batch');
      return;
    }
    const taken = unacked.get(a.seq);
    if (taken === undefined) return;
    unacked.delete(a.seq);
    s.batchesAcked++;
    if (a.type === 'ack') learn([...taken.head, ...taken.batch.events]);
    if (a.type === 'error') {
      s.batchErrors++;
      o.logger?.warn({ seq: a.seq, code: a.code, message: a.message }, 'ingest: the hub refused a batch');
    } else if (a.refused.length > 0) {
      s.eventsRefused += a.refused.length;
      o.logger?.debug({ seq: a.seq, refused: a.refused.slice(0, 5) }, 'ingest: the hub refused events');
    }
    if (unacked.size === 0) drained?.();
  }

  o.transport.start({
    answer: onAnswer,
    ready() {
      let opens = reannouncement();
      const first = unacked.values().next().value;
      if (first !== undefined && opens.length + first.batch.events.length <= ingestLimits.maxEvents) {
        const text = encodeIngestBatch({ ...first.batch, events: [...opens, ...first.batch.events] });
        if (Buffer.byteLength(text) <= ingestLimits.maxBatchBytes) {
          Object.assign(first, { head: opens, text });
          s.eventsSent += opens.length;
          opens = [];
        }
      }
      resend();
      // No backlog (or a re-announcement too big to ride in front of it): batches of their own.
      for (let i = 0; i < opens.length; i += batchMax) makeBatch(opens.slice(i, i + batchMax));
    },
  });
  schedule();

  return {
    push(event) {
      if (closed) return;
      if (waiting() >= maxBuffered) {
        head++;
        s.dropped++;
        droppedSinceBatch++;
      }
      buffer.push(event);
      // Not from inside the caller's call: the gateway's code path only ever pays for a push.
      if (waiting() >= batchMax && !soon) {
        soon = true;
        // Not after close(): it sent everything, and a batch after a goodbye would be refused.
        queueMicrotask(() => void (closed || flush()));
      }
    },
    stats: () => ({ ...s, buffered: waiting(), unacked: unacked.size }),
    async close(waitMs = 2000, options = {}) {
      if (closed) return;
      pausedUntil = 0;
      // Every event still waiting, not one batch's worth: nothing flushes after this.
      do flush(options.goodbye === true);
      while (waiting() > 0 && unacked.size < maxUnacked);
      if (options.goodbye && waiting() > 0) o.logger?.warn({ waiting: waiting() }, 'ingest: closing with events the hub was not sent: no goodbye, the hub will read this gateway lost');
      closed = true;
      clock.clearTimeout(timer);
      if (unacked.size > 0 && waitMs > 0 && o.transport.connected()) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          clock.setTimeout(resolve, waitMs);
        });
      }
      if (unacked.size > 0) o.logger?.warn({ unacked: unacked.size }, 'ingest: closing with batches the hub has not acknowledged');
      await o.transport.close();
    },
  };
}
