/**
 * The stream's own health on `/metrics`. Values are read from `stats()` at scrape time, so the
 * stream keeps plain counters and never calls into prom-client on its hot path.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveStats } from './live-server.ts';

type CounterKey = { [K in keyof LiveStats]: LiveStats[K] extends number ? K : never }[keyof LiveStats];

const counters: [name: string, help: string, key: CounterKey][] = [
  ['pulse_live_frames_sent_total', 'Frames sent to dashboard viewers', 'framesSent'],
  ['pulse_live_bytes_sent_total', 'Bytes of frames sent to dashboard viewers', 'bytesSent'],
  ['pulse_live_slow_consumers_cut_total', 'Viewers closed with 1013 for not draining their buffer', 'slowConsumersCut'],
  ['pulse_live_heartbeat_timeouts_total', 'Viewers terminated for missing heartbeats', 'heartbeatTimeouts'],
  ['pulse_live_refused_token_total', 'Upgrades closed 4001 for a missing or invalid viewer token', 'refusedToken'],
  ['pulse_live_refused_origin_total', 'Upgrades closed 4003 for an Origin outside the allowlist', 'refusedOrigin'],
  ['pulse_live_resumes_replayed_total', 'Resumes answered by replaying missed deltas', 'resumesReplayed'],
  ['pulse_live_resumes_resynced_total', 'Resumes answered by a fresh snapshot', 'resumesResynced'],
  ['pulse_live_tick_errors_total', 'Ticks skipped because the fleet source failed', 'tickErrors'],
];

export function registerLiveMetrics(registry: Registry, live: { stats(): LiveStats }): void {
  new Gauge({
    name: 'pulse_live_viewers',
    help: 'Dashboard viewers connected to /live',
    registers: [registry],
    collect() {
      this.set(live.stats().viewers);
    },
  });
  new Gauge({
    name: 'pulse_live_tick_seconds',
    help: 'Duration of the last stream tick (diff, history, fan-out)',
    registers: [registry],
    collect() {
      this.set(live.stats().lastTickMs / 1000);
    },
  });
  for (const [name, help, key] of counters) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(live.stats()[key]);
      },
    });
  }
}
