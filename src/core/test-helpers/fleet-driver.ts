/**
 * Drives the real pipeline in tests: probe events → one aggregator per gateway → frames → fleet
 * state, second by second, the way the hub runs it (frames applied, then a tick, every second).
 */
import type { ProbeEvent } from '../../protocol/probe-events.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import type { FleetState } from '../fleet-state.ts';
import { createAggregator } from '../probe-aggregator.ts';
import type { Aggregator } from '../probe-aggregator.ts';

export class FleetDriver {
  readonly aggregators = new Map<string, Aggregator>();
  private pending: ProbeEvent[] = [];
  now: number;
  private readonly state: FleetState;

  constructor(state: FleetState, start: number) {
    this.state = state;
    this.now = start;
    state.tick(start);
  }

  add(...events: ProbeEvent[]): this {
    this.pending.push(...events);
    return this;
  }

  /** Flush every gateway's frame up to `to` without applying them: for tests of delivery order. */
  flushAt(to: number): Map<string, TelemetryFrame> {
    this.pending.sort((a, b) => a.t - b.t);
    const due = this.pending.filter((e) => e.t < to);
    this.pending = this.pending.filter((e) => e.t >= to);
    for (const e of due) this.aggregator(e.gw).add(e);
    const frames = new Map<string, TelemetryFrame>();
    for (const [gw, agg] of this.aggregators) frames.set(gw, agg.flush(to));
    return frames;
  }

  /** Run second by second until `until`: every second, each gateway's frame is applied, then a tick. */
  runUntil(until: number): this {
    while (this.now < until) {
      const next = Math.min(until, this.now + 1000);
      for (const frame of this.flushAt(next).values()) this.state.applyFrame(frame);
      this.now = next;
      this.state.tick(next);
    }
    return this;
  }

  aggregator(gw: string): Aggregator {
    let agg = this.aggregators.get(gw);
    if (!agg) {
      agg = createAggregator({ gatewayId: gw, run: 1 });
      this.aggregators.set(gw, agg);
    }
    return agg;
  }
}
