/**
 * Prometheus metrics of one gateway, on its own Registry: several gateways run in one test process
 * (and the hub has its own), so the global registry would mix them up. Every series is labelled
 * with the gateway id, which is what a multi-server view needs to tell nodes apart.
 *
 * The hot path (a ping every 15 s from each of ~19,000 terminals) only adds to plain numbers; they
 * are copied into the counters when scraped (prom-client hashes the labels on every `inc`).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../metrics/process-metrics.ts';
import type { AuthFailReason, LimitKind } from '../../protocol/probe-events.ts';

export interface GatewayMetrics {
  readonly registry: Registry;
  connectionOpened(restaurantId: string): void;
  connectionClosed(restaurantId: string, code: number): void;
  /** A refused token, by reason and by the peer's address (`source`). */
  authFailed(reason: AuthFailReason, source?: string): void;
  heartbeat(onTime: boolean): void;
  /** A ping reported a round trip that cannot be real (longer than the heartbeat interval). */
  implausibleRtt(): void;
  /** An ack came back with a latency that cannot be real (negative, or over an hour: a clock step). */
  implausibleLatency(): void;
  limitHit(kind: LimitKind): void;
  /** The event loop did not run for longer than a heartbeat interval (SIGSTOP, a swap storm). */
  stalled(): void;
  messageIn(bytes: number): void;
  messageOut(bytes: number, count?: number): void;
  text(): Promise<string>;
}

/**
 * Refused tokens by source address, with a bounded label set: an attacker spreading a flood over
 * many addresses must not grow the registry (or every scrape) without bound. The first addresses
 * seen keep their own series — the flood's origin is usually among them — and the rest add up
 * under "other", so the total still equals the refusals.
 */
export const maxAuthFailSources = 50;

class SourceTally {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  add(source: string): void {
    const key = this.counts.has(source) || this.counts.size < this.max ? source : 'other';
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

export function createGatewayMetrics(gatewayId: string, options: { processMetrics?: boolean; handshakeTimeouts?: () => number; handshakeRefusals?: () => number } = {}): GatewayMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway: gatewayId });
  if (options.processMetrics) collectProcessMetrics(registry);
  const handshakeTimeouts = options.handshakeTimeouts;
  if (handshakeTimeouts) {
    new Counter({
      name: 'pulse_gateway_handshake_timeouts_total',
      help: 'Connections dropped because their upgrade request was not complete within the headers deadline',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(handshakeTimeouts());
      },
    });
  }

  const handshakeRefusals = options.handshakeRefusals;
  if (handshakeRefusals) {
    new Counter({
      name: 'pulse_gateway_handshake_refusals_total',
      help: 'Connections dropped at once because their source address already had its cap of connections waiting for their upgrade',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(handshakeRefusals());
      },
    });
  }

  const connections = new Gauge({
    name: 'pulse_gateway_connections',
    help: 'Authenticated open terminal connections, per restaurant (refused handshakes are never counted)',
    labelNames: ['restaurant'],
    registers: [registry],
  });
  const closes = new Counter({
    name: 'pulse_gateway_closes_total',
    help: 'Closed authenticated terminal connections, by close code (as sent by the gateway when it closed, else as received)',
    labelNames: ['code'],
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'pulse_gateway_auth_failures_total',
    help: 'Handshakes refused with 4001, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const bySource = new SourceTally(maxAuthFailSources);
  new Counter({
    name: 'pulse_gateway_auth_failures_by_source_total',
    help: `Handshakes refused with 4001, by peer address; the first ${maxAuthFailSources} addresses seen by name, every later one as "other"`,
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [source, n] of bySource.entries()) this.inc({ source }, n);
    },
  });
  // Hot-path tallies; published on scrape.
  const hot = { onTime: 0, late: 0, msgIn: 0, msgOut: 0, bytesIn: 0, bytesOut: 0, implausibleRtt: 0, implausibleLatency: 0, stalls: 0 };
  new Counter({
    name: 'pulse_gateway_implausible_latency_total',
    help: 'Acks whose send → ack latency was negative or over an hour (a clock step): the sample dropped',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hot.implausibleLatency);
    },
  });
  new Counter({
    name: 'pulse_gateway_stalls_total',
    help: 'Times the gateway itself did not run for longer than a heartbeat interval; its terminals then got a fresh deadline, not a 4008',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hot.stalls);
    },
  });
  new Counter({
    name: 'pulse_gateway_implausible_rtt_total',
    help: 'Pings whose reported rtt was negative or longer than the heartbeat interval: the ping counted, the rtt sample dropped',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hot.implausibleRtt);
    },
  });
  new Counter({
    name: 'pulse_gateway_heartbeats_total',
    help: 'Pings received, on time (within interval + grace of the previous one) or late',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'on_time' }, hot.onTime);
      this.inc({ result: 'late' }, hot.late);
    },
  });
  const limits = new Counter({
    name: 'pulse_gateway_limit_hits_total',
    help: 'Connections closed for a limit: rate (1008), size (1009), invalid message (1008)',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Counter({
    name: 'pulse_gateway_messages_total',
    help: 'WebSocket messages, by direction',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ direction: 'in' }, hot.msgIn);
      this.inc({ direction: 'out' }, hot.msgOut);
    },
  });
  new Counter({
    name: 'pulse_gateway_message_bytes_total',
    help: 'WebSocket message payload bytes, by direction',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ direction: 'in' }, hot.bytesIn);
      this.inc({ direction: 'out' }, hot.bytesOut);
    },
  });

  // Start the close codes a gateway sends itself at zero, so a scrape shows "0 timeouts", not nothing.
  for (const code of ['1000', '1001', '1006', '1008', '1009', '4008']) closes.inc({ code }, 0);

  return {
    registry,
    connectionOpened: (rid) => connections.inc({ restaurant: rid }),
    connectionClosed(rid, code) {
      connections.dec({ restaurant: rid });
      closes.inc({ code: String(code) });
    },
    authFailed(reason, source) {
      authFailures.inc({ reason });
      bySource.add(source ?? 'unknown');
    },
    heartbeat(ok) {
      if (ok) hot.onTime++;
      else hot.late++;
    },
    implausibleRtt() {
      hot.implausibleRtt++;
    },
    implausibleLatency() {
      hot.implausibleLatency++;
    },
    limitHit: (kind) => limits.inc({ kind }),
    stalled() {
      hot.stalls++;
    },
    messageIn(n) {
      hot.msgIn++;
      hot.bytesIn += n;
    },
    messageOut(n, count = 1) {
      hot.msgOut += count;
      hot.bytesOut += n * count;
    },
    text: () => registry.metrics(),
  };
}
