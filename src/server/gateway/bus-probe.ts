/**
 * The gateway side of the telemetry pipeline: a `ProbeSink` that folds probe events into the core
 * aggregator and publishes one `TelemetryFrame` per second onto the bus (DESIGN.md, "The pipeline").
 * Lifecycle events travel raw inside the frames; heartbeats and traffic arrive as per-restaurant
 * seconds, so the bus carries work in proportion to restaurants, not to heartbeats.
 *
 *   const probe = createBusProbe({ bus, gatewayId: gateway.id, clock });
 *   startGateway({ …, probe });
 *   …
 *   await gateway.close();   // its last closes (1001) reach the probe
 *   await probe.stop();      // and this publishes them, in the run's last frame: its goodbye
 *
 * Flushes fall on whole seconds of the clock (plus `phaseMs`): a flush then seals complete seconds
 * instead of splitting one over two frames, and a hub that ticks just after the boundary shows an
 * event within one tick of it (bench:hub measures event → delta). Every flush publishes a frame,
 * empty or not: the hub tells an idle gateway from a silent one by that.
 *
 * `stop()` is the clean stop: its frame says `goodbye` (src/protocol/telemetry.ts), so the hub
 * reads the gateway stopped instead of lost once it falls silent. A process that dies without
 * `stop()` sends none, and is lost.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { createAggregator, type AggregatorStats } from '../../core/probe-aggregator.ts';
import type { ProbeEvent, ProbeSink } from '../../protocol/probe-events.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';

/** What the probe needs of a bus: somewhere to publish. Redis Streams will be asynchronous. */
export interface FramePublisher {
  publish(frame: TelemetryFrame): unknown;
}

export interface BusProbeLogger {
  error(obj: object, msg: string): void;
}

export interface BusProbeOptions {
  bus: FramePublisher;
  /** The gateway's id (unique and stable across restarts): frames are de-duplicated by it. */
  gatewayId: string;
  clock?: Clock;
  /** Default 1000. */
  flushMs?: number;
  /** Offset of flushes after each multiple of `flushMs`; default 0. */
  phaseMs?: number;
  /** This incarnation; default the clock at creation (frames' `seq` restarts with every run). */
  run?: number;
  logger?: BusProbeLogger;
}

export interface BusProbeStats extends AggregatorStats {
  published: number;
  publishErrors: number;
}

export interface BusProbe extends ProbeSink {
  /** Seal and publish everything so far now (tests; shutdown). */
  flush(): TelemetryFrame;
  stats(): BusProbeStats;
  /**
   * Publishes what is left as the run's last frame, with `goodbye`, and stops the timer. Events
   * after stop are still counted, never published.
   */
  stop(): Promise<void>;
}

export function createBusProbe(options: BusProbeOptions): BusProbe {
  const clock = options.clock ?? systemClock();
  const flushMs = options.flushMs ?? 1000;
  const phaseMs = options.phaseMs ?? 0;
  const aggregator = createAggregator({ gatewayId: options.gatewayId, run: options.run ?? clock.now() });
  let published = 0;
  let publishErrors = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const pending = new Set<Promise<unknown>>();

  function publish(frame: TelemetryFrame): void {
    const count = (error: unknown) => {
      publishErrors++;
      // The frame is lost to this hub; its seq gap tells the hub so, and it counts the loss.
      options.logger?.error({ err: String(error), gw: frame.gw, seq: frame.seq }, 'bus probe: publish failed');
    };
    try {
      const result = options.bus.publish(frame);
      published++;
      if (result instanceof Promise) {
        const p = result.catch(count).finally(() => pending.delete(p));
        pending.add(p);
      }
    } catch (error) {
      count(error);
    }
  }

  function flush(goodbye = false): TelemetryFrame {
    const frame = aggregator.flush(clock.now());
    const out: TelemetryFrame = goodbye ? { ...frame, goodbye: true } : frame;
    publish(out);
    return out;
  }

  function schedule(): void {
    const now = clock.now();
    const next = Math.floor((now - phaseMs) / flushMs) * flushMs + flushMs + phaseMs;
    timer = clock.setTimeout(() => {
      if (stopped) return;
      flush();
      schedule();
    }, next - now);
  }
  schedule();

  return {
    emit(event: ProbeEvent) {
      aggregator.add(event);
    },
    flush: () => flush(),
    stats: () => ({ ...aggregator.stats(), published, publishErrors }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clock.clearTimeout(timer);
      flush(true);
      await Promise.all([...pending]);
    },
  };
}
