/**
 * The figures of DESIGN.md "What the numbers mean", over a period, from stored restaurant-minutes
 * — counted only in the minutes a restaurant is open when it has opening hours (a closed
 * restaurant with its terminals off is not unstable), in every minute otherwise. The caller
 * decides which minutes count (open-calendar.ts) and feeds them; counters add and histograms merge
 * exactly (src/core/histogram.ts), so a scope's figures are its restaurants' merged, not averaged.
 */
import { Histogram } from '../histogram.ts';
import { durationOf, percentilesOf, type DurationFigures, type Percentiles } from '../figures.ts';
import { posLimits } from '../../protocol/pos-messages.ts';
import { family, type RestaurantMinute } from '../rollup.ts';

export interface StabilityFigures {
  /** Healthy terminal-time ÷ expected terminal-time in the counted minutes; null when nothing was expected. */
  stability: number | null;
  terminalTime: { connectedMs: number; healthyMs: number; expectedMs: number };
  /** Time the restaurant was open in the period by its calendar (the whole period without hours), ms. */
  openMs: number;
  /** Stored minutes that counted (open ones). */
  minutes: number;
  reconnects: number;
  /** Reconnects ÷ open hours of the period; null when it was never open. */
  reconnectsPerOpenHour: number | null;
  /** On-time heartbeats ÷ expected heartbeats; null when none expected. */
  heartbeatSuccess: number | null;
  durationMs: DurationFigures | null;
  rttMs: Percentiles | null;
  deliveryMs: Percentiles | null;
  /** Closes by WebSocket close code. */
  disconnects: Record<string, number>;
}

const share = (num: number, den: number) => (den > 0 ? Math.min(1, num / den) : null);

export class StabilityAccumulator {
  private connectedMs = 0;
  private healthyMs = 0;
  private expectedMs = 0;
  private reconnects = 0;
  private hbOnTime = 0;
  private hbExpected = 0;
  private count = 0;
  private readonly closes: Record<string, number> = {};
  // 64-bit counts: a fleet-quarter of heartbeats overflows 32.
  private readonly hist = { rtt: new Histogram(64), latency: new Histogram(64), duration: new Histogram(64) };
  /** Stored histograms that did not decode: left out, and the caller logs them. */
  invalidHistograms = 0;

  add(m: RestaurantMinute): void {
    const c = m.counters;
    this.count += m.spanMinutes ?? 1; // an hour-tier row stands for its hour's minutes
    this.connectedMs += c.connectedMs ?? 0;
    this.healthyMs += c.healthyMs ?? 0;
    this.expectedMs += c.expectedMs ?? 0;
    this.reconnects += c.reconnects ?? 0;
    this.hbOnTime += c.hbOnTime ?? 0;
    // Minutes from before hbExpected existed: connected time ÷ the interval, as figures.ts does.
    this.hbExpected += c.hbExpected ?? (c.connectedMs ?? 0) / posLimits.heartbeatIntervalMs;
    for (const [code, n] of Object.entries(family(c, 'closes'))) this.closes[code] = (this.closes[code] ?? 0) + n;
    for (const key of ['rtt', 'latency', 'duration'] as const) {
      const text = m.histograms[key];
      if (text === undefined) continue;
      // Straight into the running total: decoding each stored minute first was 20 µs of its 23.
      if (!this.hist[key].addEncoded(text)) this.invalidHistograms++;
    }
  }

  /** Adds another accumulator's counts (a scope from its restaurants). */
  merge(other: StabilityAccumulator): this {
    this.connectedMs += other.connectedMs;
    this.healthyMs += other.healthyMs;
    this.expectedMs += other.expectedMs;
    this.reconnects += other.reconnects;
    this.hbOnTime += other.hbOnTime;
    this.hbExpected += other.hbExpected;
    this.count += other.count;
    this.invalidHistograms += other.invalidHistograms;
    for (const [code, n] of Object.entries(other.closes)) this.closes[code] = (this.closes[code] ?? 0) + n;
    for (const key of ['rtt', 'latency', 'duration'] as const) this.hist[key].merge(other.hist[key]);
    return this;
  }

  figures(openMs: number): StabilityFigures {
    return {
      stability: share(this.healthyMs, this.expectedMs),
      terminalTime: { connectedMs: this.connectedMs, healthyMs: this.healthyMs, expectedMs: this.expectedMs },
      openMs,
      minutes: this.count,
      reconnects: this.reconnects,
      reconnectsPerOpenHour: openMs > 0 ? this.reconnects / (openMs / 3_600_000) : null,
      heartbeatSuccess: share(this.hbOnTime, this.hbExpected),
      durationMs: durationOf(this.hist.duration),
      rttMs: percentilesOf(this.hist.rtt),
      deliveryMs: percentilesOf(this.hist.latency),
      disconnects: { ...this.closes },
    };
  }
}
