/**
 * The open ingest's health on the hub's `/metrics`: what each probe sent, what was refused and
 * why, what went missing. Read from the service's stats at scrape time, like the other hub metrics.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProbeIngestStats } from './ingest-service.ts';

type Source = { stats(): ReadonlyMap<string, ProbeIngestStats> };
type NumberKey = { [K in keyof ProbeIngestStats]: ProbeIngestStats[K] extends number ? K : never }[keyof ProbeIngestStats];

const counters: [name: string, help: string, key: NumberKey][] = [
  ['pulse_hub_ingest_batches_total', 'Ingest batches taken (in order or late), per gateway', 'batches'],
  ['pulse_hub_ingest_batches_duplicate_total', 'Ingest batches dropped as already taken, per gateway', 'duplicates'],
  ['pulse_hub_ingest_batches_late_total', 'Ingest batches that arrived out of order and filled a gap, per gateway', 'late'],
  ['pulse_hub_ingest_batches_lost_total', 'Ingest batches missing from a gateway\'s sequence (telemetry lost on the way)', 'lost'],
  ['pulse_hub_ingest_batches_refused_total', 'Ingest batches refused whole (bad envelope, wrong gateway, stale run), per gateway', 'refusedBatches'],
  ['pulse_hub_ingest_batches_busy_total', 'Ingest batches answered busy (not taken; the probe resends), per gateway', 'busy'],
  ['pulse_hub_ingest_events_total', 'Raw connection events taken, per gateway', 'events'],
  ['pulse_hub_ingest_probe_dropped_total', 'Events a probe reported dropping from its full buffer, per gateway', 'droppedByProbe'],
];

export function registerIngestMetrics(registry: Registry, ingest: Source, probes: () => number): void {
  for (const [name, help, key] of counters) {
    new Counter({
      name,
      help,
      labelNames: ['gateway'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [gw, st] of ingest.stats()) this.inc({ gateway: gw }, st[key]);
      },
    });
  }
  new Counter({
    name: 'pulse_hub_ingest_events_refused_total',
    help: 'Raw connection events refused, per gateway and stable code',
    labelNames: ['gateway', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [gw, st] of ingest.stats()) for (const [code, n] of Object.entries(st.refusedByCode)) this.inc({ gateway: gw, code }, n);
    },
  });
  new Gauge({
    name: 'pulse_hub_ingest_connections',
    help: 'Terminal connections open as each ingest gateway reported them',
    labelNames: ['gateway'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [gw, st] of ingest.stats()) this.set({ gateway: gw }, st.connections);
    },
  });
  new Gauge({ name: 'pulse_hub_ingest_probes', help: 'Probes connected to /ingest over WebSocket', registers: [registry], collect() { this.set(probes()); } });
}
