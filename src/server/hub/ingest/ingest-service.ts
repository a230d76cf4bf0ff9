/**
 * The hub's open ingest (docs/telemetry.md): batches of raw connection events from any probe, per
 * gateway, folded by the same core aggregator as the reference gateway's probe into the same
 * telemetry frames the bus carries — so the hub's fleet state, store and stream take them as they
 * take a reference gateway's, and the figures follow the same rules.
 *
 *   const ingest = createIngestService({ clock, heartbeatIntervalMs, heartbeatGraceMs });
 *   ingest.subscribe(onFrame)              // a FrameSource, beside the bus
 *   ingest.accept('gw-eu-1', batchText)    // → the answer for the probe (src/protocol/ingest.ts)
 *
 * Per gateway: a ledger of (run, seq), and per probe run a folder (raw → probe events) and an
 * aggregator. A frame goes out for each second of the probe's time that its events cover (as the
 * reference probe publishes one a second), and on whole seconds of the hub's clock for what is
 * still open — only for a gateway heard from since: a probe that went quiet stops producing
 * frames, so the hub's health says "no frame from gw" instead of showing an idle gateway.
 *
 * A batch with `goodbye` ends the probe's run: its events are folded and flushed at once in a frame
 * that says goodbye, so the fleet state reads the gateway stopped; a later batch of that run is
 * refused (its connections ended with the goodbye), a resent goodbye is a duplicate as ever.
 *
 * Each aggregator run gets the hub's own run number (its start here), not the probe's: a hub that
 * restarts starts the frames' seq again at 1, and the fleet state must see a new run, not a
 * stream of duplicates.
 */
import { BatchLedger, type LedgerStats } from '../../../core/batch-ledger.ts';
import type { Clock, TimerHandle } from '../../../core/clock.ts';
import { createAggregator, type Aggregator } from '../../../core/probe-aggregator.ts';
import { RawEventFolder } from '../../../core/raw-events.ts';
import { PulseError, type ErrorCode } from '../../../protocol/errors.ts';
import { decodeIngestBatch, decodeRawEvent, type IngestAnswer, type RefusedEvent } from '../../../protocol/ingest.ts';
import type { TelemetryFrame } from '../../../protocol/telemetry.ts';

export interface IngestServiceOptions {
  clock: Clock;
  heartbeatIntervalMs: number;
  heartbeatGraceMs: number;
  /** True while the hub cannot take more (its store is backed up): batches are answered `busy`. */
  busy?: () => boolean;
  /** How long a busy probe should wait before resending; default 1000. */
  retryAfterMs?: number;
}

export interface ProbeIngestStats extends LedgerStats {
  /** Events kept and refused, and refusals by code. */
  events: number;
  refusedEvents: number;
  refusedByCode: Partial<Record<ErrorCode, number>>;
  /** Batches refused whole (bad envelope, wrong gateway) and answered busy. */
  refusedBatches: number;
  busy: number;
  /** Events the probe said it dropped (its buffer was full). */
  droppedByProbe: number;
  connections: number;
  lastBatchAt: number;
}

export interface IngestService {
  subscribe(handler: (frame: TelemetryFrame) => void): () => void;
  /** One batch (a frame's or an NDJSON line's text) from gateway `gw` (as its token says). */
  accept(gw: string, text: string): IngestAnswer;
  /** A whole-batch refusal made before `accept` (e.g. on the socket), counted for the gateway. */
  countRefusal(gw: string): void;
  stats(): ReadonlyMap<string, ProbeIngestStats>;
  /** Publishes what is open and stops the timer. */
  close(): void;
}

type Session = {
  ledger: BatchLedger;
  probeRun: number;
  folder: RawEventFolder | null;
  aggregator: Aggregator | null;
  /** Something was added since the last frame. */
  dirty: boolean;
  /** The latest second (probe time, in s) events were added for. */
  second: number;
  /** The probe run that said goodbye, and the seq it said it with. */
  ended: { run: number; seq: number } | null;
  stats: Omit<ProbeIngestStats, keyof LedgerStats | 'connections'>;
};

export function createIngestService(o: IngestServiceOptions): IngestService {
  const { clock } = o;
  const sessions = new Map<string, Session>();
  const handlers = new Set<(frame: TelemetryFrame) => void>();
  let lastRun = 0;
  let timer: TimerHandle | undefined;
  let closed = false;

  function session(gw: string): Session {
    let s = sessions.get(gw);
    if (!s) {
      s = { ledger: new BatchLedger(), probeRun: 0, folder: null, aggregator: null, dirty: false, second: -Infinity, ended: null, stats: { events: 0, refusedEvents: 0, refusedByCode: {}, refusedBatches: 0, busy: 0, droppedByProbe: 0, lastBatchAt: 0 } };
      sessions.set(gw, s);
    }
    return s;
  }

  function publish(frame: TelemetryFrame): void {
    for (const h of handlers) h(frame);
  }

  /** A new probe run: what the old one left open is closed out by the fleet state's new run. */
  function startRun(gw: string, s: Session, probeRun: number): void {
    if (s.aggregator && s.dirty) publish(s.aggregator.flush(clock.now()));
    lastRun = Math.max(clock.now(), lastRun + 1);
    s.probeRun = probeRun;
    s.folder = new RawEventFolder({ gw, run: probeRun, heartbeatIntervalMs: o.heartbeatIntervalMs, heartbeatGraceMs: o.heartbeatGraceMs });
    // Batched events arrive late: intervals are filed by the probe's event times (issue 18, item 12).
    s.aggregator = createAggregator({ gatewayId: gw, run: lastRun, fileBy: 'events' });
    s.second = -Infinity;
    s.dirty = false;
    s.ended = null;
  }

  function refuse(s: Session, code: ErrorCode, message: string, seq?: number): IngestAnswer {
    s.stats.refusedBatches++;
    return { type: 'error', ...(seq !== undefined ? { seq } : {}), code, message };
  }

  function accept(gw: string, text: string): IngestAnswer {
    const s = session(gw);
    s.stats.lastBatchAt = clock.now();
    const decoded = decodeIngestBatch(text);
    if (!decoded.ok) return refuse(s, decoded.error.code, decoded.error.message, decoded.seq);
    const { batch, events } = decoded;
    if (batch.gw !== gw) return refuse(s, 'WRONG_GATEWAY', new PulseError('WRONG_GATEWAY', `batch for ${batch.gw}, token for ${gw}`).message, batch.seq);
    // Busy is decided before the ledger sees the batch: it was not taken, so its resend is no duplicate.
    if (o.busy?.()) {
      s.stats.busy++;
      return { type: 'busy', seq: batch.seq, retryAfterMs: o.retryAfterMs ?? 1000 };
    }
    // Not past the ledger: it would take a late batch, whose connections the goodbye ended.
    if (s.ended !== null && batch.run === s.ended.run && batch.seq !== s.ended.seq) {
      return refuse(s, 'INVALID_MESSAGE', `batch ${batch.seq} of run ${batch.run}, which said goodbye at ${s.ended.seq}`, batch.seq);
    }
    const admitted = s.ledger.admit(batch.run, batch.seq);
    if (admitted.kind === 'duplicate') return { type: 'ack', seq: batch.seq, accepted: 0, refused: [], duplicate: true };
    if (admitted.kind === 'stale') return refuse(s, 'INVALID_MESSAGE', `batch of run ${batch.run}, older than the probe's current run`, batch.seq);
    if (admitted.kind === 'new' && admitted.newRun) startRun(gw, s, batch.run);
    s.stats.droppedByProbe += batch.dropped ?? 0;

    const folder = s.folder!;
    const aggregator = s.aggregator!;
    const add = (e: Parameters<Aggregator['add']>[0]) => {
      // One frame per second of the probe's time, as the reference probe publishes: a batch that
      // spans seconds (a backlog, a replay) must not reach the fleet state as one frame, where the
      // beats of a later second would be applied before the closes of an earlier one.
      const second = Math.floor(e.t / 1000);
      if (second > s.second) {
        if (s.dirty) publish(aggregator.flush(clock.now()));
        s.second = second;
      }
      s.dirty = true;
      aggregator.add(e);
    };
    const refused: RefusedEvent[] = [];
    let accepted = 0;
    for (let i = 0; i < events.length; i++) {
      const d = decodeRawEvent(events[i]);
      const error = d.ok ? folder.apply(d.event, add) : d.error;
      if (error) {
        refused.push({ i, code: error.code, message: error.message });
        s.stats.refusedByCode[error.code] = (s.stats.refusedByCode[error.code] ?? 0) + 1;
      } else accepted++;
    }
    s.stats.events += accepted;
    s.stats.refusedEvents += refused.length;
    // Even an empty batch says the probe is alive: its frame tells the hub's health so.
    s.dirty = true;
    if (batch.goodbye) {
      s.ended = { run: batch.run, seq: batch.seq };
      s.dirty = false;
      publish({ ...aggregator.flush(clock.now()), goodbye: true });
    }
    return { type: 'ack', seq: batch.seq, accepted, refused, ...(admitted.kind === 'late' ? { late: true as const } : {}) };
  }

  function flushAll(): void {
    const now = clock.now();
    for (const s of sessions.values()) {
      if (!s.dirty || !s.aggregator) continue;
      s.dirty = false;
      publish(s.aggregator.flush(now));
    }
  }

  function schedule(): void {
    const now = clock.now();
    timer = clock.setTimeout(() => {
      if (closed) return;
      flushAll();
      schedule();
    }, 1000 - (now % 1000));
  }
  schedule();

  return {
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    accept,
    countRefusal: (gw) => void session(gw).stats.refusedBatches++,
    stats: () => new Map([...sessions].map(([gw, s]) => [gw, { ...s.ledger.stats(), ...s.stats, refusedByCode: { ...s.stats.refusedByCode }, connections: s.folder?.connections ?? 0 }])),
    close() {
      if (closed) return;
      flushAll();
      closed = true;
      clock.clearTimeout(timer);
    },
  };
}
