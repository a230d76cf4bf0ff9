/**
 * What the hub needs of a bus (src/server/bus): frames from every gateway, in order per gateway, at
 * least once — and, of a bus that can replay from a position (the Redis bus), what resuming after
 * a restart needs (resume/).
 */
import type { TelemetryFrame } from '../../protocol/telemetry.ts';

export interface FrameSource {
  subscribe(handler: (frame: TelemetryFrame, position?: string) => void): () => void;
}

/** A bus that can replay from a position (the Redis bus): the hub checkpoints and resumes it. */
export interface ReplayableFrameSource extends FrameSource {
  readonly stream: string;
  /** Only before the first subscribe. */
  resumeAfter(position: string): void;
  ready(): Promise<void>;
  /** After the first subscribe: resolves once every entry the stream held at start was handed over. */
  caughtUp(): Promise<void>;
  lastId(): string | null;
}

export function isReplayable(bus: FrameSource): bus is ReplayableFrameSource {
  const b = bus as Partial<ReplayableFrameSource>;
  return typeof b.resumeAfter === 'function' && typeof b.caughtUp === 'function' && typeof b.stream === 'string';
}
