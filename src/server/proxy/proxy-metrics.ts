/**
 * Prometheus metrics of one proxy, on its own Registry (several proxies and gateways run in one
 * test process), every series labelled with the proxy id. Like the gateway's, the per-frame
 * tallies are plain numbers copied into the counters when scraped: prom-client hashes the labels
 * on every `inc`, which is a cost per frame the proxy need not pay.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../metrics/process-metrics.ts';
import { upstreamFailureKinds } from './upstream-connect.ts';
import type { UpstreamFailureKind } from './upstream-connect.ts';

export type Direction = 'in' | 'out';
export type Side = 'terminal' | 'upstream';
export type ClosedBy = Side | 'proxy';

export interface ProxyMetrics {
  readonly registry: Registry;
  upgrade(): void;
  upstreamFailed(kind: UpstreamFailureKind): void;
  /** The terminal left while the upstream was being dialled. */
  abandoned(): void;
  closed(code: number, by: ClosedBy): void;
  message(dir: Direction, bytes: number): void;
  control(dir: Direction): void;
  paused(dir: Direction): void;
  socketError(side: Side): void;
  observerError(): void;
  text(): Promise<string>;
}

export interface MetricsSources {
  /** Pairs open now. */
  connections(): number;
  /** Connections dropped because their upgrade request was not complete within the headers deadline. */
  handshakeTimeouts(): number;
  /** Bytes accepted for sending but not yet handed to the kernel, both legs of every pair. */
  bufferedBytes(): number;
}

export function createProxyMetrics(proxyId: string, sources: MetricsSources, options: { processMetrics?: boolean } = {}): ProxyMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ proxy: proxyId });
  if (options.processMetrics) collectProcessMetrics(registry);

  const hot = {
    upgrades: 0,
    msg: { in: 0, out: 0 },
    bytes: { in: 0, out: 0 },
    control: { in: 0, out: 0 },
    paused: { in: 0, out: 0 },
    errors: { terminal: 0, upstream: 0 },
    observer: 0,
  };
  const perDirection = (name: string, help: string, pick: (d: Direction) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['direction'],
      registers: [registry],
      collect() {
        this.reset();
        for (const d of ['in', 'out'] as const) this.inc({ direction: d }, pick(d));
      },
    });

  new Gauge({
    name: 'pulse_proxy_connections',
    help: 'Terminal ⇄ upstream pairs open now (an upgrade closed with 1014 is never one)',
    registers: [registry],
    collect() {
      this.set(sources.connections());
    },
  });
  new Gauge({
    name: 'pulse_proxy_buffered_bytes',
    help: 'Bytes the proxy holds for sending, all pairs, both directions (bounded by backpressure)',
    registers: [registry],
    collect() {
      this.set(sources.bufferedBytes());
    },
  });
  new Counter({
    name: 'pulse_proxy_upgrades_total',
    help: 'WebSocket upgrade requests received from terminals (valid ones; malformed ones are answered 400)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hot.upgrades);
    },
  });
  const failures = new Counter({
    name: 'pulse_proxy_upstream_failures_total',
    help: 'Upgrades the upstream did not take, closed with 1014: unreachable, refused (HTTP status), timeout, handshake (an answer ws rejected)',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Counter({
    name: 'pulse_proxy_handshake_timeouts_total',
    help: 'Connections dropped because their upgrade request was not complete within the headers deadline',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.handshakeTimeouts());
    },
  });
  const abandoned = new Counter({
    name: 'pulse_proxy_abandoned_upgrades_total',
    help: 'Terminals gone while the upstream was being dialled',
    registers: [registry],
  });
  const closes = new Counter({
    name: 'pulse_proxy_closes_total',
    help: 'Pairs over (and 1014 refusals), by close code and by who closed first: terminal, upstream or proxy',
    labelNames: ['code', 'by'],
    registers: [registry],
  });
  perDirection('pulse_proxy_messages_total', 'Data messages forwarded: in = terminal → upstream, out = upstream → terminal', (d) => hot.msg[d]);
  perDirection('pulse_proxy_message_bytes_total', 'Payload bytes of the data messages forwarded, by direction', (d) => hot.bytes[d]);
  perDirection('pulse_proxy_control_frames_total', 'WebSocket pings and pongs forwarded, by direction', (d) => hot.control[d]);
  perDirection('pulse_proxy_backpressure_pauses_total', 'Times reading from the sending side was paused because the receiving side held more than highWaterBytes', (d) => hot.paused[d]);
  new Counter({
    name: 'pulse_proxy_socket_errors_total',
    help: 'Errors on a leg (resets, invalid frames), by side',
    labelNames: ['side'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of ['terminal', 'upstream'] as const) this.inc({ side: s }, hot.errors[s]);
    },
  });
  new Counter({
    name: 'pulse_proxy_observer_errors_total',
    help: 'Calls into the observer that threw (ignored: the connection went on)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hot.observer);
    },
  });

  // The kinds and the codes the proxy sends itself start at zero, so a scrape shows "0", not nothing.
  for (const kind of upstreamFailureKinds) failures.inc({ kind }, 0);
  abandoned.inc(0);
  for (const code of ['1001', '1014']) closes.inc({ code, by: 'proxy' }, 0);

  return {
    registry,
    upgrade: () => void hot.upgrades++,
    upstreamFailed: (kind) => failures.inc({ kind }),
    abandoned: () => abandoned.inc(),
    closed: (code, by) => closes.inc({ code: String(code), by }),
    message(dir, bytes) {
      hot.msg[dir]++;
      hot.bytes[dir] += bytes;
    },
    control: (dir) => void hot.control[dir]++,
    paused: (dir) => void hot.paused[dir]++,
    socketError: (side) => void hot.errors[side]++,
    observerError: () => void hot.observer++,
    text: () => registry.metrics(),
  };
}
