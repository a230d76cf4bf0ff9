/**
 * The probe side of the open ingest (src/protocol/ingest.ts): takes raw connection events from a
 * probe's hot path and gets them to the hub in batches, without ever hurting the gateway it
 * watches.
 *
 *   const client = createIngestClient({ gatewayId: 'gw-eu-1', transport: wsIngestTransport({ hub, token }) });
 *   client.push({ type: 'ping', t, conn, rtt })    // never throws, never blocks
 *   await client.close()                           // sends what is left, waits briefly for acks
 *
 * - A batch goes out every `flushMs` (empty or not: it tells the hub the probe is alive) or as
 *   soon as `batchMax` events wait.
 * - The buffer is bounded: when the hub is slow or gone, the oldest events are dropped *and
 *   counted*; the count travels with the next batch (`dropped`) and is on the client's stats.
 * - A batch stays unacknowledged until the hub answers. `busy` → the same batch again after
 *   `retryAfterMs`, and no new batches meanwhile (they wait in the bounded buffer). On reconnect
 *   every unacknowledged batch is resent (the hub drops the ones it had), then the connections
 *   still open are re-announced (`open` with `resumed`) so a restarted hub knows them.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { encodeIngestBatch, INGEST_VERSION, type IngestAnswer, type RawEvent } from '../../protocol/ingest.ts';

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
  /** Open connections to re-announce after a reconnect. */
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
  /** Sends what is buffered, waits up to `waitMs` for the answers, closes the transport. */
  close(waitMs?: number): Promise<void>;
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
  const unacked = new Map<number, string>();
  let seq = 0;
  let droppedSinceBatch = 0;
  let pausedUntil = 0;
  let timer: TimerHandle | undefined;
  let soon = false;
  let closed = false;
  const s: IngestClientStats = { buffered: 0, batchesSent: 0, batchesAcked: 0, unacked: 0, eventsSent: 0, eventsRefused: 0, dropped: 0, busyAnswers: 0, batchErrors: 0 };
  let drained: (() => void) | null = null;

  const waiting = () => buffer.length - head;

  function makeBatch(events: RawEvent[]): void {
    const text = encodeIngestBatch({ v: INGEST_VERSION, gw: o.gatewayId, run, seq: ++seq, t: clock.now(), events, ...(droppedSinceBatch ? { dropped: droppedSinceBatch } : {}) });
    droppedSinceBatch = 0;
    unacked.set(seq, text);
    s.batchesSent++;
    s.eventsSent += events.length;
    o.transport.send(text);
  }

  function flush(): void {
    soon = false;
    if (clock.now() < pausedUntil) return;
    do {
      if (unacked.size >= maxUnacked) return;
      const n = Math.min(batchMax, waiting());
      makeBatch(buffer.slice(head, head + n));
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
    for (const text of unacked.values()) if (!o.transport.send(text)) return;
  }

  function onAnswer(a: IngestAnswer): void {
    if (a.type === 'busy') {
      s.busyAnswers++;
      pausedUntil = clock.now() + a.retryAfterMs;
      clock.setTimeout(() => {
        const text = unacked.get(a.seq);
        if (text !== undefined) o.transport.send(text);
      }, a.retryAfterMs);
      return;
    }
    if (a.seq === undefined) {
      s.batchErrors++;
      o.logger?.warn({ code: a.type === 'error' ? a.code : undefined }, 'ingest: the hub refused a batch');
      return;
    }
    if (!unacked.delete(a.seq)) return;
    s.batchesAcked++;
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
      resend();
      // Not the connections whose own open still waits in the buffer: re-announced first, their
      // real open would then be refused as a second open, and lost (the Node probe's test caught it).
      const waitingOpens = new Set<string>();
      for (let i = head; i < buffer.length; i++) {
        const e = buffer[i]!;
        if (e.type === 'open' && !e.resumed) waitingOpens.add(e.conn);
      }
      const opens = (o.openConnections?.() ?? []).filter((e) => !('conn' in e) || !waitingOpens.has(e.conn as string));
      if (opens.length > 0) for (let i = 0; i < opens.length; i += batchMax) makeBatch(opens.slice(i, i + batchMax));
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
        queueMicrotask(flush);
      }
    },
    stats: () => ({ ...s, buffered: waiting(), unacked: unacked.size }),
    async close(waitMs = 2000) {
      if (closed) return;
      pausedUntil = 0;
      flush();
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
