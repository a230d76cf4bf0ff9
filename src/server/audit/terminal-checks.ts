/**
 * The terminal battery: what `pulse audit terminal` grades and the judges, pure functions of the
 * timeline the misbehaving gateway recorded (terminal-audit.ts): when each connection came and
 * went, its pings, the delays after each drop. Times are the auditor's clock, passed in.
 */
import { verdict, type Judged } from './audit-report.ts';

export const terminalChecks = {
  'terminal.heartbeat': { title: 'pings every heartbeat interval', fix: 'Send `{type:"ping"}` every interval (the welcome\'s `heartbeatIntervalMs`, 15 s by default), from one timer per connection.' },
  'terminal.liveness': { title: 'any incoming message counts as a sign of life', fix: 'Refresh liveness on every message received, not only on a pong: a busy gateway may answer late while orders flow.' },
  'terminal.backoff': { title: 'reconnects with exponential backoff, jitter and a cap', fix: 'Delay attempt n by a uniform draw from [base, min(cap, base·2^(n+1))] (base 2 s, cap 64 s): the cap before the jitter, the exponent clamped.' },
  'terminal.reset': { title: 'attempts reset only after a stable connection', fix: 'Reset the attempt count after a connection stayed up ≥ 15 s and got a pong — never on open (a flapping gateway would be retried at the base delay forever).' },
  'terminal.no-retry-4001': { title: 'no retry with a token refused by 4001', fix: 'On close 4001 stop, and retry only with a new token; 4001 means "this token will never work".' },
  'terminal.single': { title: 'never two connections at once', fix: 'One owner of the socket: schedule a reconnect once per close (not from both `error` and `close`), and close the old socket before opening a new one.' },
} as const;

export type TerminalCheckId = keyof typeof terminalChecks;
export const terminalCheckIds = Object.keys(terminalChecks) as TerminalCheckId[];

const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** Ping arrival times on a connection the gateway served normally. */
export function judgeHeartbeat(pings: readonly number[], intervalMs: number, graceMs: number): Judged {
  if (pings.length < 2) return verdict.fail(`${pings.length} ping(s) in the steady phase: no heartbeat to measure`, [], terminalChecks['terminal.heartbeat'].fix);
  const gaps = pings.slice(1).map((t, i) => t - pings[i]!);
  const evidence = [`${pings.length} pings, gaps ${gaps.map(ms).join(', ')}`, `expected about every ${ms(intervalMs)} (late after ${ms(intervalMs + graceMs)})`];
  const late = gaps.filter((g) => g > intervalMs + graceMs);
  if (late.length) return verdict.fail(`${late.length} gap(s) longer than interval + grace (longest ${ms(Math.max(...late))})`, evidence, terminalChecks['terminal.heartbeat'].fix);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  // Pinging far more often than asked costs every gateway of the fleet.
  if (median < intervalMs / 2) return verdict.fail(`pings every ${ms(median)}, under half the interval`, evidence, terminalChecks['terminal.heartbeat'].fix);
  return verdict.pass(`pings every ${ms(median)} (median gap)`, evidence);
}

/** While pongs were withheld but orders flowed for `heldMs`, the terminal kept its connection. */
export function judgeLiveness(o: { closedByTerminalAfterMs: number | null; heldMs: number; ordersSent: number; pingsUnanswered: number }): Judged {
  const evidence = [`for ${ms(o.heldMs)} no pong was sent (${o.pingsUnanswered} pings unanswered) while ${o.ordersSent} order frames were`];
  if (o.closedByTerminalAfterMs !== null) {
    evidence.push(`the terminal closed the connection after ${ms(o.closedByTerminalAfterMs)}`);
    return verdict.fail('the terminal dropped a live connection because pongs stopped, though messages kept coming', evidence, terminalChecks['terminal.liveness'].fix);
  }
  return verdict.pass(`kept the connection for ${ms(o.heldMs)} without a pong, orders flowing`, evidence);
}

/**
 * Delays (ms) between each drop and the next connection. Growth: with full jitter a single delay
 * says little, so the largest after the first two must reach twice the first; a cap: none above
 * `capMs`; jitter: not all consecutive ratios ~2 (doubling) or ~1 (flat at the cap).
 */
export function judgeBackoff(delays: readonly number[], capMs: number): Judged {
  const evidence = [`delays after ${delays.length} drops: ${delays.map(ms).join(', ')}`, `cap allowed: ${ms(capMs)}`];
  if (delays.length < 4) return verdict.fail(`only ${delays.length} reconnects to measure: the terminal stopped coming back`, evidence, terminalChecks['terminal.backoff'].fix);
  const first = delays[0]!;
  const laterMax = Math.max(...delays.slice(2));
  if (laterMax < 2 * first) return verdict.fail(`no exponential backoff: after ${delays.length} drops in a row the delays stay near ${ms(first)} (largest later ${ms(laterMax)})`, evidence, terminalChecks['terminal.backoff'].fix);
  const over = delays.filter((d) => d > capMs);
  if (over.length) return verdict.fail(`no cap: a delay of ${ms(Math.max(...over))} is above ${ms(capMs)}`, evidence, terminalChecks['terminal.backoff'].fix);
  const ratios = delays.slice(1).map((d, i) => d / delays[i]!);
  const exact = ratios.every((r) => Math.abs(r - 2) < 0.1 || Math.abs(r - 1) < 0.03);
  if (exact) return verdict.fail('no jitter: every delay is exactly double the previous (or equal at the cap), so a fleet reconnects in lockstep', evidence, terminalChecks['terminal.backoff'].fix);
  return verdict.pass(`delays grew from ${ms(first)} to ${ms(laterMax)}, jittered, none over the cap`, evidence);
}

/**
 * After a stable connection the delay is back in the first attempt's range, [base, 2·base]. The
 * smallest delay seen while flapping is at least the base, so 2.5× it bounds that range from above
 * whatever the base is; a terminal that never resets draws from [base, cap] and lands there by
 * chance only 1.5·base / (cap − base) of the time (8 % at 2 s / 64 s).
 */
export function judgeReset(delays: readonly number[], afterStable: number | null, stableMs: number): Judged {
  const evidence = [`delays while flapping: ${delays.map(ms).join(', ')}`, afterStable === null ? 'no reconnect after the stable connection' : `after a connection up ${ms(stableMs)} with pongs: ${ms(afterStable)}`];
  if (afterStable === null || delays.length < 2) return verdict.na('no reconnect after the stable connection to measure', evidence);
  const firstRange = 2.5 * Math.min(...delays);
  evidence.push(`first attempt's range: up to ${ms(firstRange)} (2.5 × the smallest delay seen)`);
  if (afterStable > firstRange) return verdict.fail(`the delay after a stable connection (${ms(afterStable)}) is not back to the first attempt's (≤ ${ms(firstRange)}): attempts never reset`, evidence, terminalChecks['terminal.reset'].fix);
  return verdict.pass(`back to ${ms(afterStable)} after a stable connection`, evidence);
}

export function judgeNoRetry(o: { retriedAfterMs: number | null; waitedMs: number }): Judged {
  const evidence = [`closed 4001 "Invalid token", then waited ${ms(o.waitedMs)}`];
  if (o.retriedAfterMs !== null) return verdict.fail(`retried ${ms(o.retriedAfterMs)} after a 4001`, [...evidence, `a new connection came after ${ms(o.retriedAfterMs)}`], terminalChecks['terminal.no-retry-4001'].fix);
  return verdict.pass(`no new connection in ${ms(o.waitedMs)} after a 4001`, evidence);
}

/** Connections as [opened, closed) intervals (closed null = still open): never two overlapping. */
export function judgeSingle(connections: readonly { openedAt: number; closedAt: number | null }[], endAt: number): Judged {
  const edges = connections.flatMap((c) => [
    { t: c.openedAt, d: 1 },
    { t: c.closedAt ?? endAt, d: -1 },
  ]);
  // Closes before opens at the same instant: a handover in one tick is not two at once.
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let worst = 0;
  let worstAt = 0;
  for (const e of edges) {
    open += e.d;
    if (open > worst) [worst, worstAt] = [open, e.t];
  }
  const evidence = [`${connections.length} connections over the audit`, `at most ${worst} open at once`];
  if (worst > 1) return verdict.fail(`${worst} connections of the terminal were open at once (${ms(worstAt - (connections[0]?.openedAt ?? 0))} into the audit)`, evidence, terminalChecks['terminal.single'].fix);
  return verdict.pass('one connection at a time throughout', evidence);
}
