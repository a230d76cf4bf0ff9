/**
 * The hub's own health on `/metrics`, on a Registry of its own (tests run several hubs in one
 * process). Everything is read from stats at scrape time: the ingest and write paths keep plain
 * numbers and never call into prom-client while frames are applied.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../metrics/process-metrics.ts';
import type { WriteQueueStats } from '../store/write-queue.ts';
import type { LiveStats } from './live/live-server.ts';
import { registerLiveMetrics } from './live/live-metrics.ts';
import { registerIngestMetrics } from './ingest/ingest-metrics.ts';
import type { ProbeIngestStats } from './ingest/ingest-service.ts';
import type { GatewayState } from '../../core/fleet-state.ts';

/** `state`: live, stopped (said goodbye) or lost (silent past the hub's gateway timeout). */
export type GatewayIngestStats = { applied: number; duplicate: number; lost: number; lastFrameAt: number; state: GatewayState };

export interface HubMetricsSources {
  hubId: string;
  gateways(): ReadonlyMap<string, GatewayIngestStats>;
  writeQueue(): WriteQueueStats;
  /** Rollups and events the hub could not hand to the write queue (a bug: refused rows). */
  refusedWrites(): number;
  fleet(): { restaurants: number; connections: number; terminals: number };
  live: { stats(): LiveStats };
  /** The open ingest (/ingest): per-gateway batches, refusals, loss. */
  ingest?: { stats(): ReadonlyMap<string, ProbeIngestStats>; probes(): number };
  processMetrics?: boolean;
  /** Connections dropped for an incomplete first request (server-timeouts.ts). */
  handshakeTimeouts?: () => number;
  /** Connections dropped at once because their source address already had its cap of pending upgrades (server-timeouts.ts). */
  handshakeRefusals?: () => number;
  /** Refused terminal tokens fleet-wide since the hub started (FleetState's unscoped counters; in no restaurant). */
  authFailures?: () => number;
  /** Firing alerts per rule, every rule listed (src/server/alerts). */
  alerts?: () => readonly { rule: string; severity: string; firing: number }[];
}

export interface HubMetrics {
  readonly registry: Registry;
  apiAnswered(route: string, status: number): void;
  text(): Promise<string>;
}

export function createHubMetrics(s: HubMetricsSources): HubMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ hub: s.hubId });
  if (s.processMetrics) collectProcessMetrics(registry);
  const handshakeTimeouts = s.handshakeTimeouts;
  if (handshakeTimeouts) {
    new Counter({
      name: 'pulse_hub_handshake_timeouts_total',
      help: 'Connections dropped because their first request (an upgrade to /live or /ingest, or an API call) was not complete within the headers deadline',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(handshakeTimeouts());
      },
    });
  }

  // Read at scrape time, like the rest: a flood of refusals costs the hub a number, never a label.
  const sourceCounter = (name: string, help: string, read: (() => number) | undefined) =>
    read &&
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  sourceCounter('pulse_hub_handshake_refusals_total', 'Connections dropped at once because their source address already had its cap of connections waiting for their first request (at most 256 by default)', s.handshakeRefusals);
  sourceCounter(
    'pulse_hub_auth_failures_total',
    'Refused terminal tokens (4001) the gateways reported, fleet-wide: counted in no restaurant, whatever their unverified claims name (per source address: pulse_gateway_auth_failures_by_source_total on each gateway)',
    s.authFailures,
  );

  const perGateway = (name: string, help: string, key: 'applied' | 'duplicate' | 'lost') =>
    new Counter({
      name,
      help,
      labelNames: ['gateway'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [gw, st] of s.gateways()) this.inc({ gateway: gw }, st[key]);
      },
    });
  perGateway('pulse_hub_frames_applied_total', 'Telemetry frames applied to the fleet state, per gateway', 'applied');
  perGateway('pulse_hub_frames_duplicate_total', 'Telemetry frames dropped as already applied (at-least-once delivery), per gateway', 'duplicate');
  perGateway('pulse_hub_frames_lost_total', 'Telemetry frames never received (gaps in a gateway\'s sequence), per gateway', 'lost');
  new Gauge({
    name: 'pulse_hub_gateway_state',
    help: 'Each gateway\'s state: 1 for the one it is in — live, stopped (said goodbye: a clean stop) or lost (silent past the gateway timeout)',
    labelNames: ['gateway', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [gw, st] of s.gateways()) this.set({ gateway: gw, state: st.state }, 1);
    },
  });
  new Gauge({
    name: 'pulse_hub_gateway_frame_age_seconds',
    help: 'Time since the last frame of each gateway arrived (a gateway publishes one per second, even when idle)',
    labelNames: ['gateway'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [gw, st] of s.gateways()) this.set({ gateway: gw }, Math.max(0, now - st.lastFrameAt) / 1000);
    },
  });

  const queueGauge = (name: string, help: string, read: (q: WriteQueueStats) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(s.writeQueue())); } });
  const queueCounter = (name: string, help: string, read: (q: WriteQueueStats) => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read(s.writeQueue())); } });
  new Gauge({
    name: 'pulse_hub_write_queue_items',
    help: 'Rollups and lifecycle events accepted and not yet written to the store (the write backlog)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const q = s.writeQueue();
      this.set({ kind: 'minutes' }, q.queuedMinutes);
      this.set({ kind: 'events' }, q.queuedEvents);
    },
  });
  queueGauge('pulse_hub_write_queue_backlog', '1 while the write queue is past its high-water mark (the store is not keeping up)', (q) => (q.backlog ? 1 : 0));
  queueGauge('pulse_hub_write_queue_consecutive_failures', 'Store writes failed in a row (0 when the last one succeeded)', (q) => q.consecutiveFailures);
  queueCounter('pulse_hub_store_write_errors_total', 'Failed store writes (their items stay queued and are retried)', (q) => q.failed);
  queueCounter('pulse_hub_store_written_total', 'Rollups and events written to the store', (q) => q.written);
  new Counter({
    name: 'pulse_hub_store_refused_total',
    help: 'Rollups or events the write queue refused as invalid (never written: a bug to fix)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(s.refusedWrites());
    },
  });

  const fleetGauge = (name: string, help: string, key: 'restaurants' | 'connections' | 'terminals') =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(s.fleet()[key]); } });
  fleetGauge('pulse_hub_restaurants', 'Restaurants in the fleet state (live or expected)', 'restaurants');
  fleetGauge('pulse_hub_connections', 'Authenticated terminal connections open, fleet-wide, as the hub sees them', 'connections');
  fleetGauge('pulse_hub_terminals', 'Terminals known to the hub (connected or expected)', 'terminals');

  const alerts = s.alerts;
  if (alerts) {
    new Gauge({
      name: 'pulse_alerts_firing',
      help: 'Alerts firing now, per rule of the alerts file (0 for a rule with none): route them with Alertmanager if you like',
      labelNames: ['rule', 'severity'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of alerts()) this.set({ rule: a.rule, severity: a.severity }, a.firing);
      },
    });
  }

  registerLiveMetrics(registry, s.live);
  const ingest = s.ingest;
  if (ingest) registerIngestMetrics(registry, ingest, () => ingest.probes());

  const api = new Counter({ name: 'pulse_hub_api_requests_total', help: 'REST calls answered, by route pattern and status', labelNames: ['route', 'status'], registers: [registry] });

  return {
    registry,
    apiAnswered: (route, status) => api.inc({ route, status: String(status) }),
    text: () => registry.metrics(),
  };
}
