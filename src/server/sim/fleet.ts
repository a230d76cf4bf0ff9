/**
 * `startFleet`: the simulated POS fleet that the CLI (`pulse sim`), the all-in-one `pulse start`
 * and the benchmarks run. It plans the fleet from the seed, ramps terminals in (a burst of 19,000
 * simultaneous handshakes would measure the kernel's accept queue, not the gateway), plays the
 * scenario, reports progress, and on `stop()` closes every terminal with 1000 and flushes the truth.
 */
import { systemClock, seededRandom } from '../../core/clock.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { childSeed, planFleet } from './fleet-plan.ts';
import type { TerminalsSpec } from './fleet-plan.ts';
import { Recorder } from './recorder.ts';
import { signTerminalToken } from '../auth/tokens.ts';
import { emptyScenario, resolveProfile } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { checkTargets, runScenario } from './scenario-runner.ts';
import { SimTerminal } from './sim-terminal.ts';
import type { TerminalShared } from './terminal-shared.ts';
import type { FleetCounters } from './counters.ts';
import { summarize } from './summary.ts';
import type { FleetSummary } from './summary.ts';
import type { TruthEvent } from './truth-events.ts';

export interface FleetOptions {
  /** ws://host:port/ws of the gateway. */
  gatewayUrl: string;
  /** The gateway's signing secret, so the terminals' tokens verify. */
  secret: string;
  restaurants: number;
  terminals: TerminalsSpec;
  scenario?: Scenario;
  /** Name of the scenario's file, for error messages. */
  scenarioSource?: string;
  /** Everything random (fleet shape, profiles, jitter, loss, orders, random targets) follows it. Default 1. */
  seed?: number;
  /** Terminals started per second; default 500. */
  rampPerSec?: number;
  /** Default 15000; must match the gateway's. */
  heartbeatIntervalMs?: number;
  /** Default: 2 s base, 64 s cap (core/backoff). Tests compress it. */
  backoff?: { baseMs?: number; capMs?: number };
  /** The terminals' health thresholds (and half-open detection); default 4/3 and 2 heartbeat intervals. */
  healthThresholds?: { degradedAfterMs: number; unhealthyAfterMs: number };
  /** Up time (with a pong) after which attempts reset; default the heartbeat interval. */
  stableAfterMs?: number;
  /**
   * How terminals present their token: `bearer.<jwt>` subprotocol (default), or `?token=<jwt>` on
   * the URL (legacy terminals, Fynlo-style gateways). The URL with the token is never printed.
   */
  tokenVia?: 'subprotocol' | 'query';
  /**
   * Default true: the gateway welcomes each connection, and a connection counts as open then.
   * false: it sends none (Fynlo-style); a connection counts as open at its handshake unless the
   * gateway closes it with 4001 before sending anything. Confirmed by the gateway's first frame or
   * any other end, the truth `open` carries the handshake's time and precedes the connection's events.
   */
  welcome?: boolean;
  /** Seconds a terminal's token lives; default one day (re-signed at half-life). */
  tokenTtlS?: number;
  /** Ground-truth NDJSON file. */
  truthPath?: string;
  /** Sees every ground-truth event as it happens (tests, in-process reconciliation). */
  onTruth?: (e: TruthEvent) => void;
  /** Loopback source addresses to spread terminals over; default 64 on Linux, else 1. */
  sourceAddresses?: number;
  /** Overrides the scenario's `orders.perTerminalPerMinute`. */
  ordersPerTerminalPerMinute?: number;
  /** Called when the scenario restarts the gateway; without it the restart is only announced. */
  restartGateway?: () => Promise<void> | void;
  /** One line every `progressEveryMs` (default 5000); none when absent. */
  progress?: (line: string) => void;
  progressEveryMs?: number;
  log?: (line: string) => void;
  clock?: Clock;
}

export interface Fleet {
  readonly counters: FleetCounters;
  readonly terminals: readonly SimTerminal[];
  readonly startedAt: number;
  /** Terminals open (welcomed, or with `welcome: false` confirmed) right now. */
  connectedCount(): number;
  terminal(tid: string): SimTerminal | undefined;
  /** Resolves when every terminal has been started. */
  readonly ramped: Promise<void>;
  summary(): FleetSummary;
  /** Close 1000 everywhere, flush the truth file, and return the summary. Idempotent. */
  stop(): Promise<FleetSummary>;
}

const rampTickMs = 20;
/** How long `stop()` waits for the gateway to answer the terminals' close frames. */
const stopGraceMs = 3000;

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const clock = options.clock ?? systemClock();
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const scenario = options.scenario ?? emptyScenario();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const tokenTtlS = options.tokenTtlS ?? 86_400;
  const log = options.log ?? (() => {});
  const perMinute = options.ordersPerTerminalPerMinute ?? scenario.orders.perTerminalPerMinute;

  const plan = planFleet({
    restaurants: options.restaurants,
    terminals: options.terminals,
    random,
    sourceAddresses: options.sourceAddresses ?? (process.platform === 'linux' ? 64 : 1),
  });
  const recorder = new Recorder(options.truthPath, options.onTruth);
  const shared: TerminalShared = {
    clock,
    recorder,
    gatewayUrl: options.gatewayUrl,
    tokenVia: options.tokenVia ?? 'subprotocol',
    welcome: options.welcome ?? true,
    signToken: (tid, rid) => signTerminalToken(options.secret, tid, rid, tokenTtlS, clock.now()),
    badToken: (tid, rid, kind) =>
      kind === 'expired'
        ? signTerminalToken(options.secret, tid, rid, -60, clock.now())
        : signTerminalToken(`not-the-secret-${options.secret.length}-${seed}`, tid, rid, tokenTtlS, clock.now()),
    tokenRefreshMs: (tokenTtlS * 1000) / 2,
    heartbeatIntervalMs,
    // Same proportions as the defaults (15 s beat → 20 s degraded, 30 s unhealthy), so a compressed
    // heartbeat compresses the client's half-open detection too.
    healthThresholds: options.healthThresholds ?? { degradedAfterMs: Math.round((heartbeatIntervalMs * 4) / 3), unhealthyAfterMs: heartbeatIntervalMs * 2 },
    stableAfterMs: options.stableAfterMs ?? heartbeatIntervalMs,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    orderChancePerBeat: Math.min(1, (perMinute * heartbeatIntervalMs) / 60_000),
    handshakeTimeoutMs: Math.max(2000, Math.min(10_000, heartbeatIntervalMs)),
  };

  const defaultProfile = resolveProfile(scenario.network.default, scenario);
  const mix = scenario.network.mix.map((m) => ({ share: m.share, profile: resolveProfile(m.profile, scenario) }));
  const terminals = plan.map((p) => {
    const own = seededRandom(childSeed(seed, p.index));
    let draw = own();
    let profile = defaultProfile;
    for (const m of mix) {
      if (draw < m.share) {
        profile = m.profile;
        break;
      }
      draw -= m.share;
    }
    return new SimTerminal(p, shared, profile, own);
  });
  const byTid = new Map(terminals.map((t) => [t.tid, t]));
  checkTargets(scenario, options.scenarioSource ?? scenario.name ?? 'scenario', terminals);

  const startedAt = clock.now();
  let stopped: Promise<FleetSummary> | null = null;
  let rampTimer: TimerHandle | undefined;
  let progressTimer: TimerHandle | undefined;

  // The ramp: one fleet-wide timer, never one per terminal.
  const rampPerSec = Math.max(1, options.rampPerSec ?? 500);
  let next = 0;
  let rampDone: () => void = () => {};
  const ramped = new Promise<void>((resolve) => (rampDone = resolve));
  const rampTick = (): void => {
    rampTimer = undefined;
    if (stopped) return;
    const due = Math.min(terminals.length, Math.floor(((clock.now() - startedAt + rampTickMs) * rampPerSec) / 1000));
    while (next < due) terminals[next++]!.start();
    if (next < terminals.length) rampTimer = clock.setTimeout(rampTick, rampTickMs);
    else rampDone();
  };
  rampTick();

  const scenarioRun = runScenario(scenario, { clock, random, recorder, terminals, ...(options.restartGateway ? { restartGateway: options.restartGateway } : {}), log }, startedAt);

  const summary = (): FleetSummary => summarize(recorder.counters, terminals.length, new Set(plan.map((p) => p.rid)).size, clock.now() - startedAt);

  const progressEveryMs = options.progressEveryMs ?? 5000;
  const progressTick = (): void => {
    recorder.flush();
    const c = recorder.counters;
    options.progress?.(
      `sim: ${c.connected}/${terminals.length} connected · opens ${c.total.opens} · closes ${c.total.closes} · failed attempts ${c.total.connectFails} · pings ${c.total.pingsSent} · pongs ${c.total.pongs}`,
    );
    progressTimer = clock.setTimeout(progressTick, progressEveryMs);
  };
  progressTimer = clock.setTimeout(progressTick, progressEveryMs);

  const stop = async (): Promise<FleetSummary> => {
    clock.clearTimeout(rampTimer);
    clock.clearTimeout(progressTimer);
    scenarioRun.stop();
    rampDone();
    for (const t of terminals) t.stop();
    // Let the gateway answer the close frames, so the truth records clean 1000s, within a bound.
    const deadline = clock.now() + stopGraceMs;
    for (let i = 0; i < 300 && recorder.counters.connected > 0 && clock.now() < deadline; i++) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
    }
    for (const t of terminals) t.destroy();
    const result = summary();
    await recorder.close();
    return result;
  };

  return {
    counters: recorder.counters,
    terminals,
    startedAt,
    connectedCount: () => recorder.counters.connected,
    terminal: (tid) => byTid.get(tid),
    ramped,
    summary,
    stop: () => (stopped ??= stop()),
  };
}
