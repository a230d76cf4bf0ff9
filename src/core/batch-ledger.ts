/**
 * Which ingest batches of one gateway the hub has (src/protocol/ingest.ts): per (gateway, run) a
 * sequence 1, 2, 3, … Delivery is at-least-once and not always in order (a probe resending after
 * a lost answer, two HTTP calls overtaking each other), so:
 *
 * - a seq already taken is a duplicate: answered, never applied twice;
 * - a jump past the highest seq counts the skipped ones as lost — until one of them arrives late,
 *   which is taken (its events are valid) and no longer counted lost;
 * - a newer run starts the sequence again (the probe restarted); a batch of an older run after a
 *   newer one is stale, counted and not applied (its connections ended with that run).
 *
 * Missing seqs are remembered up to `maxMissing`; older gaps stay counted as lost for good.
 */
export type Admission = { kind: 'new'; newRun: boolean } | { kind: 'late' } | { kind: 'duplicate' } | { kind: 'stale' };

export interface LedgerStats {
  run: number;
  highestSeq: number;
  batches: number;
  duplicates: number;
  late: number;
  stale: number;
  /** Batches missing from the sequence: counted as loss (late ones are taken back off). */
  lost: number;
}

export class BatchLedger {
  private run = 0;
  private highest = 0;
  private missing = new Set<number>();
  private readonly counts = { batches: 0, duplicates: 0, late: 0, stale: 0, lost: 0 };

  constructor(private readonly maxMissing = 10_000) {}

  admit(run: number, seq: number): Admission {
    if (run < this.run) {
      this.counts.stale++;
      return { kind: 'stale' };
    }
    let newRun = false;
    if (run > this.run) {
      // The first batch heard of a run sets its position: a hub that starts late, or a probe that
      // restarted, has not lost what came before it.
      newRun = true;
      this.run = run;
      this.highest = seq - 1;
      this.missing.clear();
    }
    if (seq > this.highest) {
      // A jump of millions (a probe bug) must not loop a million times: only the last gaps are remembered.
      const from = Math.max(this.highest + 1, seq - this.maxMissing);
      this.counts.lost += from - (this.highest + 1);
      for (let s = from; s < seq; s++) this.remember(s);
      this.highest = seq;
      this.counts.batches++;
      return { kind: 'new', newRun };
    }
    if (this.missing.delete(seq)) {
      this.counts.lost--;
      this.counts.late++;
      this.counts.batches++;
      return { kind: 'late' };
    }
    this.counts.duplicates++;
    return { kind: 'duplicate' };
  }

  stats(): LedgerStats {
    return { run: this.run, highestSeq: this.highest, ...this.counts };
  }

  private remember(seq: number): void {
    this.counts.lost++;
    this.missing.add(seq);
    if (this.missing.size > this.maxMissing) {
      // Forget the oldest gap: it stays counted as lost, and a copy arriving now is a duplicate.
      const oldest = this.missing.values().next().value as number;
      this.missing.delete(oldest);
    }
  }
}
