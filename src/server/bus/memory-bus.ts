/**
 * The in-memory bus of the all-in-one process. Delivery is synchronous, through one FIFO queue:
 * a publish delivers at once unless a delivery is already under way (a handler that publishes),
 * in which case the frame waits its turn — so order is publish order even under re-entrance.
 *
 * It can also misbehave on purpose (`faults`): duplicate or drop chosen frames, as a Redis
 * consumer that re-reads after a crash or a trimmed stream would. That is how the consumers'
 * de-duplication and loss accounting get exercised against the real bus, in tests and in the
 * simulator's fault scenarios.
 */
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import type { Bus, BusStats, FrameHandler } from './bus.ts';

export interface MemoryBusOptions {
  /** Frames waiting for delivery beyond which the oldest are dropped (and counted). Default 10,000. */
  maxBacklog?: number;
  faults?: {
    /** Deliver this frame twice. */
    duplicate?: (frame: TelemetryFrame) => boolean;
    /** Lose this frame (no subscriber gets it). */
    drop?: (frame: TelemetryFrame) => boolean;
  };
  /** Told about a handler that threw; the bus carries on either way. */
  onHandlerError?: (error: unknown, frame: TelemetryFrame) => void;
}

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxBacklog = options.maxBacklog ?? 10_000;
  const handlers = new Set<FrameHandler>();
  const queue: TelemetryFrame[] = [];
  const gateways: BusStats['gateways'] = {};
  let draining = false;
  let closed = false;
  const counts = { published: 0, delivered: 0, dropped: 0, redelivered: 0, handlerErrors: 0 };

  function deliver(frame: TelemetryFrame): void {
    // A snapshot, so a handler that unsubscribes another mid-delivery cannot skip a third.
    for (const handler of [...handlers]) {
      if (!handlers.has(handler)) continue;
      counts.delivered++;
      try {
        handler(frame);
      } catch (error) {
        counts.handlerErrors++;
        options.onHandlerError?.(error, frame);
      }
    }
  }

  function drain(): void {
    if (draining) return;
    draining = true;
    try {
      for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) deliver(frame);
    } finally {
      draining = false;
    }
  }

  return {
    publish(frame) {
      if (closed) {
        counts.dropped++;
        return;
      }
      counts.published++;
      const g = (gateways[frame.gw] ??= { published: 0, lastSeq: 0 });
      g.published++;
      g.lastSeq = frame.seq;
      if (options.faults?.drop?.(frame)) {
        counts.dropped++;
        return;
      }
      queue.push(frame);
      if (options.faults?.duplicate?.(frame)) {
        counts.redelivered++;
        queue.push(frame);
      }
      while (queue.length > maxBacklog) {
        queue.shift();
        counts.dropped++;
      }
      drain();
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    stats() {
      const perGateway: BusStats['gateways'] = {};
      for (const gw in gateways) perGateway[gw] = { ...(gateways[gw] as BusStats['gateways'][string]) };
      return { ...counts, subscribers: handlers.size, backlog: queue.length, gateways: perGateway };
    },
    async close() {
      closed = true;
      drain();
    },
  };
}
