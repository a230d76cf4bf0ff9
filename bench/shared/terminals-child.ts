/**
 * The gateway bench's terminals: a lean load generator, not the simulator. Each terminal is the
 * real client core — a resilient socket over a real `ws` WebSocket, bound to a 127.0.x.y source
 * address, presenting its own JWT as `bearer.<jwt>`, pinging every heartbeat interval with its
 * last RTT and measuring ping → pong — but without the simulator's network profiles, truth
 * recording and fault machinery, which would cost this process CPU the bench does not need and
 * delay the pongs it measures.
 *
 * Connects ramp at `rampPerSec` (one timer, never one per terminal). RTTs go into an HDR histogram
 * that the orchestrator resets when the steady state begins, so the ramp's queueing is not in it.
 */
import WebSocket from 'ws';
import { seededRandom, systemClock } from '../../src/core/clock.ts';
import { Histogram } from '../../src/core/histogram.ts';
import { createResilientSocket } from '../../src/client/resilient-socket.ts';
import type { ResilientSocket } from '../../src/client/socket-types.ts';
import { bearerPrefix, posSubprotocol } from '../../src/protocol/pos-messages.ts';
import { signTerminalToken } from '../../src/server/auth/tokens.ts';
import { restaurantId, sourceAddressFor, terminalId } from '../../src/server/sim/fleet-plan.ts';
import { toParent } from './bench-ipc.ts';
import type { TerminalsConfig } from './bench-ipc.ts';
import { serveParent } from './serve-parent.ts';

const rampTickMs = 20;
/**
 * Handshakes in flight at most. Why: on a loaded machine a fixed-rate ramp outruns the gateway,
 * handshakes queue past their timeout, every retry joins the queue, and nothing connects any more
 * (seen at load average 17 on 2 cores). Capping what is in flight keeps the ramp at the rate the
 * gateway can take, up to `rampPerSec`.
 */
const maxInFlight = 200;

let config: TerminalsConfig | null = null;
let plan: Array<{ url: string; protocols: string[]; localAddress: string }> = [];
const sockets: ResilientSocket[] = [];
let open = 0;
let connectFails = 0;
let closes = 0;
let pongs = 0;
let connecting = 0;
let rtt = new Histogram();
/**
 * The system clock's timers with a sub-millisecond `now`: Date.now() would round every loopback
 * round trip to 0 or 1 ms. One clock for every terminal (its timer table is shared, not copied).
 */
const clock = { ...systemClock(), now: () => performance.timeOrigin + performance.now() };

function prepare(c: TerminalsConfig): void {
  config = c;
  // Tokens are signed before the ramp, so the ramp paces connects rather than HMACs.
  plan = Array.from({ length: c.terminals }, (_, i) => {
    const rid = restaurantId(1 + Math.floor(i / c.perRestaurant));
    const tid = terminalId(rid, 1 + (i % c.perRestaurant));
    const jwt = signTerminalToken(c.secret, tid, rid, 86_400);
    // By query: no subprotocol offered, since a server that answers none (FastAPI's accept()) fails a ws client that asked for one.
    const byQuery = c.tokenVia === 'query';
    return {
      url: byQuery ? `${c.url}?token=${jwt}` : c.url,
      protocols: byQuery ? [] : [posSubprotocol, bearerPrefix + jwt],
      localAddress: sourceAddressFor(i, c.sourceAddresses),
    };
  });
  toParent({ type: 'ready' });
}

function startTerminal(i: number, c: TerminalsConfig): void {
  const p = plan[i]!;
  let opened = false;
  const socket = createResilientSocket({
    url: p.url,
    protocols: () => p.protocols,
    createSocket: (url, protocols) => new WebSocket(url, protocols, { perMessageDeflate: false, localAddress: p.localAddress, handshakeTimeout: 10_000 }),
    clock,
    random: seededRandom(i + 1),
    heartbeatIntervalMs: c.heartbeatIntervalMs,
  });
  socket.on('state', (state, prev) => {
    if (state === 'connecting') connecting++;
    if (prev === 'connecting') connecting--;
  });
  socket.on('open', () => {
    opened = true;
    open++;
  });
  socket.on('close', () => {
    if (opened) {
      open--;
      closes++;
    } else {
      connectFails++;
    }
    opened = false;
  });
  socket.on('pong', ({ rttMs }) => {
    pongs++;
    rtt.record(rttMs);
  });
  sockets.push(socket);
  socket.connect();
}

function ramp(): void {
  const c = config;
  if (!c) return;
  const startedAt = Date.now();
  let next = 0;
  const tick = (): void => {
    const due = Math.min(c.terminals, Math.floor(((Date.now() - startedAt + rampTickMs) * c.rampPerSec) / 1000));
    while (next < due && connecting < maxInFlight) startTerminal(next++, c);
    if (next < c.terminals) setTimeout(tick, rampTickMs);
  };
  tick();
}

serveParent({
  onMessage: (message) => {
    if (message.type === 'config' && 'terminals' in message) prepare(message);
    else if (message.type === 'start') ramp();
    else if (message.type === 'reset-rtt') rtt = new Histogram();
  },
  figures: () => ({
    connections: open,
    rtt: { count: rtt.count, p50: rtt.percentile(50), p99: rtt.percentile(99), max: rtt.max },
    connectFails,
    closes,
    pongs,
  }),
});
// Timers of the sockets are unref'd; this keeps the process up until the orchestrator says exit.
setInterval(() => {}, 1 << 30);
