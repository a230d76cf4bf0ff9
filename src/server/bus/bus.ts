/**
 * The telemetry bus (DESIGN.md, "The pipeline"): gateways publish one frame a second, hubs
 * subscribe. One interface, two transports: in memory for the all-in-one process
 * (memory-bus.ts), Redis Streams when gateways and hubs run apart.
 *
 * The contract, which both transports keep and consumers rely on:
 * - every subscriber receives every frame published after it subscribed;
 * - frames of one gateway arrive in publish order (across gateways, any interleaving);
 * - delivery is at-least-once: a frame may arrive twice (a Redis consumer re-reading after a
 *   crash) and may be missing (a trimmed stream, a full buffer). Consumers de-duplicate by
 *   (gw, run, seq) and count gaps as loss — `FleetState.applyFrame` does both;
 * - a subscriber that throws is its own bug: counted, and the others still get the frame;
 * - handlers must not mutate frames: every subscriber sees the same object.
 *
 * For Redis Streams: one stream (e.g. `pulse:telemetry`), `XADD … MAXLEN ~ N` per publish with the
 * encoded frame (`encodeTelemetryFrame`), and each hub an `XREAD BLOCK` loop from `$` decoding with
 * `decodeTelemetryFrame` — every hub reads the whole stream, as DESIGN.md's scale-out wants. The
 * writer group that persists to PostgreSQL is a consumer group on the same stream.
 */
import type { TelemetryFrame } from '../../protocol/telemetry.ts';

/**
 * `position`: where the frame sits in a replayable transport (a Redis Streams entry id), so a
 * consumer can record how far it has durably got and resume from there; absent in memory.
 */
export type FrameHandler = (frame: TelemetryFrame, position?: string) => void;

export interface BusStats {
  /** Frames accepted by `publish`. */
  published: number;
  /** Handler calls made (a frame delivered to 3 subscribers counts 3). */
  delivered: number;
  subscribers: number;
  /** Frames published but not yet delivered to every subscriber. */
  backlog: number;
  /** Frames the transport itself lost (full buffer, trimmed stream, injected fault): counted, never hidden. */
  dropped: number;
  /** Frames delivered more than once by the transport (consumers must ignore the extra copy). */
  redelivered: number;
  /** Handler calls that threw. */
  handlerErrors: number;
  /** Per gateway: frames published and the last seq seen. */
  gateways: Record<string, { published: number; lastSeq: number }>;
}

export interface Bus {
  publish(frame: TelemetryFrame): void;
  /** Returns its own unsubscribe function. */
  subscribe(handler: FrameHandler): () => void;
  stats(): BusStats;
  /** Stop accepting frames; resolves once everything accepted has been delivered. */
  close(): Promise<void>;
}
