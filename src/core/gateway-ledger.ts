/**
 * What the hub knows of each gateway from its frames: the run it is on, how far its sequence got,
 * and what was duplicated, stale or lost on the way. Pure: the caller passes hub time.
 *
 * At-least-once delivery: a frame already applied (same gateway, run and seq) is a duplicate; a
 * jump in seq is counted as lost frames, never hidden. The first frame heard from a gateway sets
 * its position (a hub that starts late has not lost what it never subscribed to). A new `run` is a
 * restarted gateway, and a gateway silent past the timeout is presumed dead: either way its
 * connections died with it, which the ledger reports and the connection registry acts on.
 *
 * A gateway that says goodbye (a frame with `goodbye`, after everything else of its run) is
 * stopped, not lost: it is never expired, and frames of that run after the goodbye are stale.
 * A goodbye of an older run is stale like any of its frames. A lost gateway heard again under the
 * same run (a partition, a stalled process) is live again: `revived` tells the fleet state.
 */
import type { TelemetryFrame } from '../protocol/telemetry.ts';

export type ApplyResult = 'applied' | 'duplicate' | { gap: number };

/** live: heard within the timeout; stopped: said goodbye; lost: silent past the timeout. */
export type GatewayState = 'live' | 'stopped' | 'lost';

export interface GatewayStatus {
  gw: string;
  run: number;
  lastSeq: number;
  frames: number;
  duplicates: number;
  /** Frames missing from the sequence: telemetry lost between this gateway and the hub. */
  lostFrames: number;
  /** Frames of an older run that arrived after a newer one (counted, not applied). */
  staleFrames: number;
  /** The gateway's clock in its last frame. */
  lastFrameT: number;
  /** Hub time the last frame was applied (the last tick's `now`). */
  lastHeardAt: number;
  state: GatewayState;
  /** `state === 'live'`. */
  alive: boolean;
  /** The goodbye frame's time (the gateway's clock), while stopped. */
  stoppedAt?: number;
}

export interface Admission {
  result: ApplyResult;
  /** The gateway is on a newer run than its known connections: they died with the old process. */
  restarted: boolean;
  /** The frame said goodbye: the run is over, what is still open of it ended with it. */
  stopped: boolean;
  /** The gateway was lost and is heard again under the same run. */
  revived: boolean;
}

export interface LedgerTotals {
  frames: number;
  duplicates: number;
  lostFrames: number;
  staleFrames: number;
}

const fresh = (gw: string, run: number, lastSeq: number, t: number, heardAt: number): GatewayStatus => ({ gw, run, lastSeq, frames: 0, duplicates: 0, lostFrames: 0, staleFrames: 0, lastFrameT: t, lastHeardAt: heardAt, state: 'live', alive: true });

const nothing = { restarted: false, stopped: false, revived: false };

export class GatewayLedger {
  private readonly gateways = new Map<string, GatewayStatus>();
  /** Seeded gateways whose next frame sets their position (no gap, no duplicate before it). */
  private readonly unpositioned = new Set<string>();

  /** Whether `frame` is new, and where it leaves its gateway; `heardAt` is hub time (or the frame's). */
  admit(frame: TelemetryFrame, heardAt: number): Admission {
    let g = this.gateways.get(frame.gw);
    let gap = 0;
    let restarted = false;
    if (g !== undefined && this.unpositioned.has(frame.gw)) {
      if (frame.run < g.run) {
        g.staleFrames++;
        return { result: 'duplicate', ...nothing };
      }
      this.unpositioned.delete(frame.gw);
      // Restarted since its seeded connections were stored (run -1: unknown, so not known to have).
      restarted = frame.run > g.run && g.run >= 0;
      g.run = frame.run;
      g.lastSeq = frame.seq - 1;
    }
    if (g === undefined) {
      g = fresh(frame.gw, frame.run, frame.seq - 1, frame.t, 0);
      this.gateways.set(frame.gw, g);
    } else if (frame.run > g.run) {
      restarted = true;
      g.run = frame.run;
      gap = frame.seq - 1;
    } else if (frame.run < g.run) {
      g.staleFrames++;
      return { result: 'duplicate', ...nothing };
    } else if (frame.seq <= g.lastSeq) {
      g.duplicates++;
      return { result: 'duplicate', ...nothing };
    } else if (g.state === 'stopped') {
      // Its run said goodbye: what follows cannot be applied to connections it ended.
      g.staleFrames++;
      return { result: 'duplicate', ...nothing };
    } else {
      gap = frame.seq - g.lastSeq - 1;
    }
    const revived = !restarted && g.state === 'lost';
    g.lastSeq = frame.seq;
    g.frames++;
    g.lostFrames += gap;
    g.lastFrameT = frame.t;
    g.lastHeardAt = heardAt;
    const stopped = frame.goodbye === true;
    g.state = stopped ? 'stopped' : 'live';
    g.alive = !stopped;
    if (stopped) g.stoppedAt = frame.t;
    else delete g.stoppedAt;
    return { result: gap > 0 ? { gap } : 'applied', restarted, stopped, revived };
  }

  /**
   * Gateways known from before a restart, with the run they were on (-1: unknown) and when they
   * were last heard of. Their next frame, whatever its seq, sets their position.
   */
  seed(list: readonly { gw: string; run: number; heardAt: number }[]): void {
    for (const s of list) {
      if (this.gateways.has(s.gw)) continue;
      this.gateways.set(s.gw, fresh(s.gw, s.run, 0, s.heardAt, s.heardAt));
      this.unpositioned.add(s.gw);
    }
  }

  /** Marks dead the gateways not heard of for longer than `timeoutMs`; returns those just found dead. */
  expire(now: number, timeoutMs: number): string[] {
    const dead: string[] = [];
    for (const g of this.gateways.values()) {
      if (g.state === 'live' && now - g.lastHeardAt > timeoutMs) {
        g.state = 'lost';
        g.alive = false;
        dead.push(g.gw);
      }
    }
    return dead;
  }

  get(gw: string): Readonly<GatewayStatus> | undefined {
    return this.gateways.get(gw);
  }

  status(): GatewayStatus[] {
    return [...this.gateways.values()].map((g) => ({ ...g }));
  }

  totals(): LedgerTotals {
    const t: LedgerTotals = { frames: 0, duplicates: 0, lostFrames: 0, staleFrames: 0 };
    for (const g of this.gateways.values()) {
      t.frames += g.frames;
      t.duplicates += g.duplicates;
      t.lostFrames += g.lostFrames;
      t.staleFrames += g.staleFrames;
    }
    return t;
  }

  get size(): number {
    return this.gateways.size;
  }
}
