/**
 * In-memory tallies of the ground truth, fleet-wide, per restaurant and per terminal, so tests
 * and summaries can read them without parsing the NDJSON. Counted from the same events that are
 * written as truth lines, so the two cannot disagree.
 */
import type { TruthEvent } from './truth-events.ts';

/**
 * The counts an end-of-run summary reports, in its order (summary.ts reads this list). Of note:
 * `silentCloses` are closes of silenced connections (the gateway's side of these is 4008);
 * `failed` counts terminals that gave up.
 */
export const summaryCounts = ['opens', 'closes', 'silentCloses', 'connectFails', 'retries', 'failed', 'pingsSent', 'pingsLost', 'pongs', 'ordersSent', 'ordersReceived', 'acksSent'] as const;
export type SummaryCount = (typeof summaryCounts)[number];
const tallyCounts = [...summaryCounts, 'abusiveFrames'] as const;

export type Tally = Record<(typeof tallyCounts)[number], number> & {
  /** Keyed by the close code as the terminal saw it. */
  closesByCode: Record<number, number>;
};

export function emptyTally(): Tally {
  const t = { closesByCode: {} } as Tally;
  for (const k of tallyCounts) t[k] = 0;
  return t;
}

function apply(tally: Tally, e: TruthEvent): void {
  switch (e.ev) {
    case 'open':
      tally.opens++;
      return;
    case 'close':
      tally.closes++;
      tally.closesByCode[e.code] = (tally.closesByCode[e.code] ?? 0) + 1;
      if (e.silent) tally.silentCloses++;
      return;
    case 'connect_fail':
      tally.connectFails++;
      return;
    case 'retry':
      tally.retries++;
      return;
    case 'failed':
      tally.failed++;
      return;
    case 'ping':
      tally.pingsSent++;
      if (e.lost) tally.pingsLost++;
      return;
    case 'pong':
      tally.pongs++;
      return;
    case 'order_sent':
      tally.ordersSent++;
      return;
    case 'order_recv':
      tally.ordersReceived++;
      return;
    case 'ack':
      tally.acksSent++;
      return;
    case 'abuse':
      tally.abusiveFrames += e.frames;
      return;
    case 'fault_start':
    case 'fault_end':
    case 'note':
      return;
  }
}

export class FleetCounters {
  readonly total: Tally = emptyTally();
  readonly byRestaurant = new Map<string, Tally>();
  readonly byTerminal = new Map<string, Tally>();
  /** Open connections right now, as the terminals see them. */
  connected = 0;

  count(e: TruthEvent): void {
    apply(this.total, e);
    if ('tid' in e) {
      apply(this.tallyOf(this.byRestaurant, e.rid), e);
      apply(this.tallyOf(this.byTerminal, e.tid), e);
      if (e.ev === 'open') this.connected++;
      else if (e.ev === 'close') this.connected--;
    }
  }

  restaurant(rid: string): Tally {
    return this.byRestaurant.get(rid) ?? emptyTally();
  }

  terminal(tid: string): Tally {
    return this.byTerminal.get(tid) ?? emptyTally();
  }

  private tallyOf(map: Map<string, Tally>, key: string): Tally {
    let t = map.get(key);
    if (!t) map.set(key, (t = emptyTally()));
    return t;
  }
}
