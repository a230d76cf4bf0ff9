/**
 * `pulse audit terminal`: a gateway that misbehaves on a schedule, grading the terminal that
 * connects to it (terminal-checks.ts). In order: serve normally (heartbeat), withhold pongs while
 * orders flow (liveness), drop every connection as soon as it opens (backoff), serve one long
 * enough to be stable then drop it (reset), refuse the next with 4001 (no retry) — and, all along,
 * count connections open at once. Tokens are read, not verified: this is a test double, and the
 * terminal's identity only labels the welcome.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDecoder } from 'fast-jwt';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';
import { buildReport, type AuditReport, type CheckResult, type Judged } from './audit-report.ts';
import { judgeBackoff, judgeHeartbeat, judgeLiveness, judgeNoRetry, judgeReset, judgeSingle, terminalChecks, type TerminalCheckId } from './terminal-checks.ts';

export type TerminalAuditProgress = { type: 'start'; id: TerminalCheckId; title: string; note?: string } | { type: 'done'; result: CheckResult };

export interface TerminalAuditOptions {
  host?: string;
  /** 0 = any free port (see `onListening`). */
  port: number;
  /** Announced in the welcome; the terminal is held to it. Default 15000. */
  intervalMs?: number;
  graceMs?: number;
  /** The largest reconnect delay allowed. Default 70000 (a 64 s cap, and some slack). */
  capMs?: number;
  /** How long a connection is served (with pongs) to count as stable. Default 15000. */
  stableMs?: number;
  /** Drops in a row for the backoff. Default 6. */
  drops?: number;
  /** How long to wait for the terminal's first connection. Default 120000. */
  connectTimeoutMs?: number;
  now?: () => number;
  onListening?: (url: string) => void;
  onProgress?: (event: TerminalAuditProgress) => void;
}

interface Conn {
  ws: WebSocket;
  openedAt: number;
  closedAt: number | null;
  closedByUs: boolean;
  pings: number[];
  answer: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const decode = createDecoder();

function identityOf(url: string | undefined, protocolHeader: string | undefined): { rid: string; tid: string } {
  const bearer = (protocolHeader ?? '').split(',').map((p) => p.trim()).find((p) => p.startsWith(bearerPrefix));
  const token = bearer ? bearer.slice(bearerPrefix.length) : new URL(url ?? '/', 'http://x').searchParams.get('token');
  try {
    const claims = decode(token ?? '') as { sub?: unknown; rid?: unknown };
    return { rid: typeof claims.rid === 'string' ? claims.rid.slice(0, 64) : 'unknown', tid: typeof claims.sub === 'string' ? claims.sub.slice(0, 64) : 'unknown' };
  } catch {
    return { rid: 'unknown', tid: 'unknown' };
  }
}

export async function auditTerminal(o: TerminalAuditOptions): Promise<AuditReport> {
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 15_000;
  const graceMs = o.graceMs ?? 5000;
  const capMs = o.capMs ?? 70_000;
  const stableMs = o.stableMs ?? 15_000;
  const drops = o.drops ?? 6;
  const progress = o.onProgress ?? (() => {});
  const conns: Conn[] = [];
  const wake = new Set<() => void>();
  let refuseNext = false;
  let orderSeq = 0;

  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(posSubprotocol) ? posSubprotocol : false) });
  wss.on('connection', (ws, req) => {
    const conn: Conn = { ws, openedAt: now(), closedAt: null, closedByUs: false, pings: [], answer: true };
    conns.push(conn);
    ws.on('error', () => {});
    ws.on('close', () => (conn.closedAt = now()));
    for (const w of [...wake]) w();
    if (refuseNext) {
      conn.closedByUs = true;
      ws.close(4001, 'Invalid token');
      return;
    }
    const who = identityOf(req.url, req.headers['sec-websocket-protocol']);
    ws.send(JSON.stringify({ type: 'welcome', seq: 0, timestamp: now(), terminalId: who.tid, restaurantId: who.rid, heartbeatIntervalMs: intervalMs, gatewayId: 'pulse-audit' }));
    ws.on('message', (data) => {
      let m: { type?: unknown; seq?: unknown };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        return;
      }
      if (m?.type !== 'ping') return;
      conn.pings.push(now());
      if (conn.answer) ws.send(JSON.stringify({ type: 'pong', seq: typeof m.seq === 'number' ? m.seq : 0, timestamp: now() }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `ws://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/ws`;
  o.onListening?.(url);

  /** The first connection that arrives at or after `t`, or null after `timeoutMs`. */
  const arrival = (t: number, timeoutMs: number): Promise<Conn | null> =>
    new Promise((resolve) => {
      const find = () => conns.find((c) => c.openedAt >= t) ?? null;
      const done = (c: Conn | null) => {
        clearTimeout(timer);
        wake.delete(check);
        resolve(c);
      };
      const check = () => {
        const c = find();
        if (c) done(c);
      };
      const timer = setTimeout(() => done(find()), timeoutMs);
      wake.add(check);
      check();
    });
  let dropCount = 0;
  const drop = (c: Conn): number => {
    c.closedByUs = true;
    // Alternately a vanished peer (no close frame: 1006 at the terminal) and a clean 1001.
    if (dropCount++ % 2 === 0) c.ws.terminate();
    else c.ws.close(1001, 'Server shutting down');
    return now();
  };

  const results: CheckResult[] = [];
  const startedAt = now();
  const finish = (id: TerminalCheckId, started: number, judged: Judged) => {
    const result: CheckResult = { id, title: terminalChecks[id].title, ...judged, durationMs: Math.max(0, now() - started) };
    results.push(result);
    progress({ type: 'done', result });
  };
  const waitNext = capMs + 5000;
  try {
    let t = now();
    progress({ type: 'start', id: 'terminal.heartbeat', title: terminalChecks['terminal.heartbeat'].title, note: `waiting for a terminal on ${url}` });
    let cur = await arrival(0, o.connectTimeoutMs ?? 120_000);
    if (!cur) {
      for (const id of Object.keys(terminalChecks) as TerminalCheckId[]) finish(id, t, { status: 'n/a', summary: 'no terminal connected', evidence: [`listened on ${url}`] });
      return report();
    }
    // Heartbeat: served normally for three intervals.
    t = now();
    await sleep(3 * intervalMs + graceMs / 2);
    finish('terminal.heartbeat', t, judgeHeartbeat(cur.pings.filter((p) => p >= t), intervalMs, graceMs));

    // Liveness: pongs withheld, an order every half interval, for longer than any sane dead-link threshold.
    t = now();
    progress({ type: 'start', id: 'terminal.liveness', title: terminalChecks['terminal.liveness'].title, note: 'withholding pongs while orders flow' });
    const held = cur;
    held.answer = false;
    const heldMs = 3 * intervalMs + graceMs;
    let orders = 0;
    const ticker = setInterval(() => {
      if (held.closedAt !== null) return;
      orders++;
      held.ws.send(JSON.stringify({ type: 'order', seq: ++orderSeq, timestamp: now(), restaurantId: 'audit', order: { id: `audit-${orderSeq}`, status: 'open' } }));
    }, Math.max(10, Math.floor(intervalMs / 2)));
    await sleep(heldMs);
    clearInterval(ticker);
    held.answer = true;
    const closedByTerminal = held.closedAt !== null && !held.closedByUs ? held.closedAt - t : null;
    finish('terminal.liveness', t, judgeLiveness({ closedByTerminalAfterMs: closedByTerminal, heldMs, ordersSent: orders, pingsUnanswered: held.pings.filter((p) => p >= t).length }));
    if (held.closedAt !== null) cur = await arrival(held.closedAt, waitNext);

    // Backoff: every connection dropped as soon as it is open.
    t = now();
    progress({ type: 'start', id: 'terminal.backoff', title: terminalChecks['terminal.backoff'].title, note: `dropping ${drops} connections in a row` });
    const delays: number[] = [];
    for (let i = 0; i < drops && cur; i++) {
      const droppedAt = drop(cur);
      cur = await arrival(droppedAt, waitNext);
      if (cur) {
        delays.push(cur.openedAt - droppedAt);
        await sleep(20);
      }
    }
    finish('terminal.backoff', t, judgeBackoff(delays, capMs));

    // Reset: one connection served past the stable mark, then dropped.
    t = now();
    let afterStable: number | null = null;
    if (cur) {
      progress({ type: 'start', id: 'terminal.reset', title: terminalChecks['terminal.reset'].title, note: `serving one connection for ${Math.round((stableMs + intervalMs) / 1000)} s, then dropping it` });
      await sleep(stableMs + intervalMs);
      const droppedAt = drop(cur);
      refuseNext = true; // the reconnect that measures the reset is the one refused with 4001
      cur = await arrival(droppedAt, waitNext);
      if (cur) afterStable = cur.openedAt - droppedAt;
    }
    finish('terminal.reset', t, judgeReset(delays, afterStable, stableMs + intervalMs));

    // No retry after 4001: as long as the slowest retry seen, three times over.
    t = now();
    if (cur) {
      const waitedMs = Math.min(capMs, Math.max(3 * Math.max(0, ...delays), 3 * intervalMs));
      progress({ type: 'start', id: 'terminal.no-retry-4001', title: terminalChecks['terminal.no-retry-4001'].title, note: `refused with 4001; watching ${Math.round(waitedMs / 1000)} s for a retry` });
      const refusedAt = cur.openedAt;
      // A twin opened in the same instant as the refused one (two reconnect timers) is not a
      // retry after the 4001 — it is `terminal.single`'s finding; a retry comes after a delay.
      const retry = await arrival(refusedAt + 50, waitedMs);
      finish('terminal.no-retry-4001', t, judgeNoRetry({ retriedAfterMs: retry ? retry.openedAt - refusedAt : null, waitedMs }));
    } else {
      finish('terminal.no-retry-4001', t, { status: 'n/a', summary: 'the terminal did not come back to be refused', evidence: [] });
    }
    finish('terminal.single', startedAt, judgeSingle(conns, now()));
    return report();
  } finally {
    for (const c of conns) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  function report(): AuditReport {
    return buildReport({
      kind: 'terminal',
      target: url,
      startedAt,
      finishedAt: now(),
      settings: { heartbeatIntervalMs: intervalMs, heartbeatGraceMs: graceMs, capMs, stableMs, drops, connections: conns.length },
      checks: results,
    });
  }
}
