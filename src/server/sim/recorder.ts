/**
 * Where every simulator event goes: the in-memory counters, and (with `--truth FILE`) one NDJSON
 * line in the ground-truth file. Lines are batched into a write stream — 19,000 terminals produce
 * thousands of events a second, and one `write` per event would cost more than the events — and
 * flushed by `flush()` (called on a timer by the fleet) and on `close()`.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { FleetCounters } from './counters.ts';
import type { TruthEvent } from './truth-events.ts';

const batchLines = 512;

export class Recorder {
  readonly counters = new FleetCounters();
  private stream: WriteStream | null = null;
  private pending: string[] = [];
  private streamError: Error | null = null;
  /** Lines written to the truth file so far (after flush). */
  linesWritten = 0;

  /** `tap` sees every event as it is recorded (in-memory consumers: tests, reconciliation). */
  constructor(truthPath?: string, private readonly tap?: (e: TruthEvent) => void) {
    if (truthPath) {
      this.stream = createWriteStream(truthPath, { flags: 'w', encoding: 'utf8', highWaterMark: 1 << 20 });
      // A failing disk must not crash a fleet of sockets; it is reported by `close()` instead.
      this.stream.on('error', (error) => {
        this.streamError = error;
      });
    }
  }

  record(e: TruthEvent): void {
    this.counters.count(e);
    this.tap?.(e);
    if (!this.stream) return;
    this.pending.push(JSON.stringify(e));
    if (this.pending.length >= batchLines) this.flush();
  }

  flush(): void {
    if (!this.stream || this.pending.length === 0 || this.streamError) return;
    this.stream.write(this.pending.join('\n') + '\n');
    this.linesWritten += this.pending.length;
    this.pending = [];
  }

  /** Flush and close the file; resolves once it is on disk, rejects if writing failed. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.flush();
    this.stream = null;
    if (!this.streamError) {
      stream.end();
      await Promise.race([once(stream, 'finish'), once(stream, 'error')]).catch(() => undefined);
    }
    if (this.streamError) throw new Error(`truth file: ${this.streamError.message}`);
  }
}
