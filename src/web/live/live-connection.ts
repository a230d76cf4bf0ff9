/**
 * Feeds the live store from `/live` over the resilient socket (src/client). Frames are decoded as
 * they arrive, buffered, and applied once per frame in one `setState`. Resume rides in the URL:
 * every attempt reads our position and asks `/live?since=<epoch>.<seq>`, so the hub replays what
 * we missed (or sends a snapshot when it cannot) — see protocol/live.ts.
 */
import { createResilientSocket } from '../../client/resilient-socket.ts';
import type { ResilientSocket, SocketFactory } from '../../client/socket-types.ts';
import type { BackoffPolicy } from '../../core/backoff.ts';
import type { Clock, Random, TimerHandle } from '../../core/clock.ts';
import { decodeLiveFrame, formatSince, liveSubprotocol, type LiveFrame, type StreamPosition } from '../../protocol/live.ts';
import { bearerPrefix } from '../../protocol/pos-messages.ts';
import { createFrameBatcher, type Schedule } from './frame-batcher.ts';
import { applyFrames } from './live-reducer.ts';
import type { LiveStore } from './live-store.ts';
import type { TickMeter } from './tick-meter.ts';

export interface LiveConnectionOptions {
  store: LiveStore;
  /** `ws://host/live`, without a query. */
  url: string;
  token: string;
  createSocket: SocketFactory;
  clock: Clock;
  random: Random;
  schedule: Schedule;
  canAttempt?: () => boolean;
  /** The hub refused the token (4001): the sign-in page takes over. */
  onRefused: () => void;
  /** A frame that does not match the contract: reported, never applied. */
  onBadFrame?: (reason: string) => void;
  /** Times each frame's decoding and each batch's application (see tick-meter.ts). */
  meter?: TickMeter;
  backoff?: BackoffPolicy;
}

/**
 * The dashboard's reconnect policy, tighter than a terminal's (2 s base, 64 s cap): a hub has a
 * few viewers, not 19,000 terminals whose retries must be spread out, and a support agent looking
 * at "Reconnecting — data N s old" should see live data within seconds of the hub being back, not
 * after a wait of up to a minute drawn during the outage.
 */
export const dashboardBackoff: BackoffPolicy = { baseMs: 1_000, capMs: 8_000 };

export interface LiveConnection {
  readonly socket: ResilientSocket;
  dispose(): void;
}

/** How long to wait for the answer to a `resume` before asking again. */
const resyncRetryMs = 5000;
/**
 * The least time between two `interest` messages: a scroll changes the rows in view every frame,
 * and the hub cuts a viewer sending more than ~10 messages a second. The last one always goes.
 */
export const interestIntervalMs = 200;

export function startLiveConnection(o: LiveConnectionOptions): LiveConnection {
  const { store, clock } = o;
  let askedResync: { from: StreamPosition; at: number } | null = null;

  const meter: TickMeter = o.meter ?? { decode: (run) => run(), tick: (apply) => apply() };
  const batcher = createFrameBatcher<LiveFrame>((frames) => {
    meter.tick(() => store.setState((s) => applyFrames(s, frames, clock.now())));
    requestResyncIfGapped();
  }, o.schedule);

  const socket = createResilientSocket({
    url: () => {
      const at = store.getState().position;
      return at ? `${o.url}?since=${encodeURIComponent(formatSince(at))}` : o.url;
    },
    protocols: () => [liveSubprotocol, bearerPrefix + o.token],
    createSocket: o.createSocket,
    clock,
    random: o.random,
    canAttempt: o.canAttempt,
    backoff: o.backoff ?? dashboardBackoff,
    makePing: ({ seq }) => JSON.stringify({ type: 'ping', id: seq }),
    isPong: livePongId,
    // A browser WebSocket has no handshake timeout: a hub that accepts TCP and never answers the
    // upgrade would leave the dashboard "connecting" for good.
    connectTimeoutMs: 10_000,
  });

  function requestResyncIfGapped(): void {
    const { resyncFrom } = store.getState();
    if (!resyncFrom) {
      askedResync = null;
      return;
    }
    const now = clock.now();
    if (askedResync && askedResync.from.seq === resyncFrom.seq && askedResync.from.epoch === resyncFrom.epoch && now - askedResync.at < resyncRetryMs) return;
    if (socket.send(JSON.stringify({ type: 'resume', epoch: resyncFrom.epoch, since: resyncFrom.seq }))) askedResync = { from: resyncFrom, at: now };
  }

  // The interest goes out when it changes (at most every interestIntervalMs) and again on every
  // new connection: the hub forgets it with the socket (protocol/live.ts).
  let sentInterest: readonly string[] | null = null;
  let interestTimer: TimerHandle | undefined;
  let interestSentAt = -Infinity;
  function sendInterest(): void {
    interestTimer = undefined;
    const { rids } = store.getState().interest;
    if (rids === null || rids === sentInterest) return;
    const wait = interestSentAt + interestIntervalMs - clock.now();
    if (wait > 0) {
      interestTimer = clock.setTimeout(sendInterest, wait);
      return;
    }
    if (socket.send(JSON.stringify({ type: 'interest', rids }))) {
      sentInterest = rids;
      interestSentAt = clock.now();
    }
  }
  const unsubscribeStore = store.subscribe((state, prev) => {
    if (state.interest.rids !== prev.interest.rids && interestTimer === undefined) sendInterest();
  });

  const setConnection = (patch: Partial<ReturnType<LiveStore['getState']>['connection']>): void =>
    store.setState((s) => ({ connection: { ...s.connection, ...patch } }));

  const unsubscribe = [
    socket.on('message', (text) => {
      const decoded = meter.decode(() => decodeLiveFrame(text));
      if (decoded.ok) batcher.push(decoded.value);
      else o.onBadFrame?.(decoded.error.message);
    }),
    socket.on('state', (state) => {
      // Frames received before the drop are still true: apply them before saying we are not live.
      if (state !== 'open') batcher.flush();
      // A new connection asks afresh: the resume it carries in its URL is the request.
      if (state === 'connecting') askedResync = null;
      if (state === 'open') {
        sentInterest = null;
        if (interestTimer === undefined) sendInterest();
      }
      setConnection({ socket: state, ...(state === 'open' || state === 'connecting' ? { failure: null } : {}) });
    }),
    socket.on('pong', ({ rttMs }) => setConnection({ rttMs })),
    socket.on('failed', ({ reason }) => {
      setConnection({ failure: reason });
      if (reason === 'token_rejected') o.onRefused();
    }),
  ];

  socket.connect();
  return {
    socket,
    dispose() {
      for (const off of unsubscribe) off();
      unsubscribeStore();
      clock.clearTimeout(interestTimer);
      batcher.dispose();
      socket.dispose();
    },
  };
}

/** The hub's `{type:"pong", id}` answers our `{type:"ping", id}`; other frames skip the parse. */
export function livePongId(text: string): { seq: number } | null {
  if (!text.includes('"type":"pong"')) return null;
  try {
    const { id } = JSON.parse(text) as { id?: unknown };
    return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? { seq: id } : null;
  } catch {
    return null;
  }
}
