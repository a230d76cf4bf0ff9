/**
 * The resilient socket (DESIGN.md): one core for the dashboard (browser WebSocket) and the
 * simulated terminals (`ws`). This file is the shell — it owns the socket, the retry timer and the
 * listeners, and carries out what the pure state machine (socket-machine.ts) decides. All time goes
 * through the injected clock and all chance through the injected random.
 */
import { backoffDelay } from '../core/backoff.ts';
import type { TimerHandle } from '../core/clock.ts';
import { defaultHealthThresholds, healthOf } from '../core/health.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { posLimits } from '../protocol/pos-messages.ts';
import { startSession } from './connection-session.ts';
import type { Session } from './connection-session.ts';
import { createEmitter } from './emitter.ts';
import { isPosPong, makePosPing } from './pos-heartbeat.ts';
import { initialModel, step } from './socket-machine.ts';
import type { Command, Input, Model } from './socket-machine.ts';
import type { Health, ResilientSocket, ResilientSocketEvents, ResilientSocketOptions, WebSocketLike } from './socket-types.ts';
import { detach, ignoreLateError, safeClose, safeSend } from './wire.ts';

interface Wire {
  readonly ws: WebSocketLike;
  readonly generation: number;
  session: Session | undefined;
}

export function createResilientSocket(options: ResilientSocketOptions): ResilientSocket {
  const { clock, random } = options;
  const limits = { maxReconnectAttempts: options.maxReconnectAttempts ?? Infinity };
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? posLimits.heartbeatIntervalMs;
  const stableAfterMs = options.stableAfterMs ?? 15_000;
  const thresholds = { ...defaultHealthThresholds, ...definedOnly(options.healthThresholds) };
  const makePing = options.makePing ?? makePosPing;
  const isPong = options.isPong ?? isPosPong;
  const canAttempt = options.canAttempt ?? (() => true);
  const url = (): string => (typeof options.url === 'function' ? options.url() : options.url);

  const events = createEmitter<ResilientSocketEvents>();
  let model: Model = initialModel;
  let wire: Wire | undefined;
  // Every socket gets a generation; its handlers act only while it is still the current one.
  let generation = 0;
  let retryTimer: TimerHandle | undefined;
  let retryToken = 0;
  let pingSeq = 0;
  let lastRttMs: number | undefined;
  const connectTimeoutMs = options.connectTimeoutMs;
  let connectTimer: TimerHandle | undefined;

  // Inputs are queued so that a listener calling back into the socket (connect() from a 'failed'
  // listener, say) runs after the current transition has finished, never in the middle of it.
  const queue: Input[] = [];
  let outbox: Array<() => void> = [];
  let busy = false;

  function dispatch(input: Input): void {
    queue.push(input);
    if (busy) return;
    busy = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const prev = model.state;
        const result = step(model, next, limits);
        model = result.model;
        for (const command of result.commands) run(command);
        const pending = outbox;
        outbox = [];
        if (model.state !== prev) events.emit('state', model.state, prev);
        for (const emit of pending) emit();
      }
    } finally {
      busy = false;
    }
  }

  function run(command: Command): void {
    switch (command.type) {
      case 'cancel_retry':
        cancelRetry();
        return;
      case 'open_socket':
        openSocket();
        return;
      case 'start_session':
        startWireSession(command.attempt);
        return;
      case 'release':
        release(command.code, command.reason, command.closeWire);
        return;
      case 'schedule_retry':
        scheduleRetry(command.attempt);
        return;
      case 'failed': {
        const info = { reason: command.reason, code: command.code };
        outbox.push(() => events.emit('failed', info));
        return;
      }
      case 'forget_listeners':
        events.clear();
        return;
      case 'continue':
        queue.unshift(command.input);
        return;
    }
  }

  function cancelRetry(): void {
    clock.clearTimeout(retryTimer);
    retryTimer = undefined;
    retryToken++;
  }

  function scheduleRetry(attempt: number): void {
    cancelRetry(); // at most one reconnect timer, ever
    const token = retryToken;
    const delayMs = backoffDelay(attempt - 1, random, options.backoff);
    retryTimer = clock.setTimeout(() => {
      if (token !== retryToken) return;
      retryTimer = undefined;
      dispatch({ type: 'retry_due', canAttempt: canAttempt() });
    }, delayMs);
    outbox.push(() => events.emit('reconnect_scheduled', { attempt, delayMs }));
  }

  function openSocket(): void {
    const gen = ++generation;
    let ws: WebSocketLike;
    try {
      ws = options.createSocket(url(), options.protocols?.() ?? []);
    } catch {
      // A bad URL throws in the constructor; it is a failed attempt like any other.
      queue.unshift({ type: 'lost', code: CloseCode.abnormal, reason: 'socket could not be created' });
      return;
    }
    wire = { ws, generation: gen, session: undefined };
    clock.clearTimeout(connectTimer);
    if (connectTimeoutMs !== undefined) {
      connectTimer = clock.setTimeout(() => {
        connectTimer = undefined;
        // Still this attempt, still not open: give it up as a drop (closed by us, then retried).
        if (gen === generation && model.state === 'connecting') dispatch({ type: 'drop', code: CloseCode.abnormal, reason: 'handshake timeout' });
      }, connectTimeoutMs);
    }
    ws.onopen = () => {
      if (gen !== generation) return;
      clock.clearTimeout(connectTimer);
      connectTimer = undefined;
      dispatch({ type: 'opened' });
    };
    ws.onmessage = (ev) => {
      if (gen === generation) received(ev.data);
    };
    ws.onclose = (ev) => {
      if (gen === generation) dispatch({ type: 'lost', code: ev.code, reason: ev.reason });
    };
    // Only the close that follows decides: reacting to both schedules two attempts (TileBoard#72).
    ws.onerror = ignoreLateError;
  }

  function startWireSession(attempt: number): void {
    const current = wire;
    if (!current) return;
    const gen = current.generation;
    current.session = startSession({
      clock,
      heartbeatIntervalMs,
      stableAfterMs,
      silentAfterMs: thresholds.unhealthyAfterMs,
      makePing,
      isPong,
      send: (data) => safeSend(current.ws, data),
      nextSeq: () => pingSeq++,
      lastRtt: () => lastRttMs,
      onPong: (seq, rttMs) => {
        if (rttMs === undefined) return;
        lastRttMs = rttMs;
        events.emit('pong', { seq, rttMs });
      },
      onStable: () => {
        if (gen === generation) dispatch({ type: 'stable' });
      },
      onSilent: () => {
        if (gen === generation) dispatch({ type: 'drop', code: CloseCode.heartbeatTimeout, reason: 'heartbeat timeout' });
      },
    });
    const info = { attempt, protocol: current.ws.protocol };
    outbox.push(() => events.emit('open', info));
  }

  function received(data: unknown): void {
    const session = wire?.session;
    if (!session) return;
    session.received(data);
    if (typeof data === 'string') events.emit('message', data);
  }

  function release(code: number, reason: string, closeWire: boolean): void {
    clock.clearTimeout(connectTimer);
    connectTimer = undefined;
    const current = wire;
    wire = undefined;
    generation++; // anything still in flight from this socket is now from an old generation
    if (!current) return;
    const upMs = current.session ? clock.now() - current.session.openedAt : 0;
    current.session?.stop();
    detach(current.ws);
    if (closeWire) safeClose(current.ws, code, reason);
    const info = { code, reason, upMs };
    outbox.push(() => events.emit('close', info));
  }

  function currentHealth(): Health {
    const lastSeenAt = model.state === 'open' ? wire?.session?.lastSeenAt : undefined;
    return healthOf(lastSeenAt, clock.now(), thresholds);
  }

  return {
    get state() {
      return model.state;
    },
    get lastRttMs() {
      return lastRttMs;
    },
    get attempts() {
      return model.attempts;
    },
    health: currentHealth,
    connect() {
      dispatch({ type: 'connect', canAttempt: canAttempt() });
    },
    send(data) {
      return model.state === 'open' && wire !== undefined && safeSend(wire.ws, data);
    },
    drop(code = CloseCode.normal, reason = 'drop') {
      dispatch({ type: 'drop', code, reason });
    },
    close(code = CloseCode.normal, reason = '') {
      dispatch({ type: 'close', code, reason });
    },
    dispose() {
      dispatch({ type: 'dispose', code: CloseCode.normal, reason: 'disposed' });
    },
    checkNow() {
      // A background tab may not have run the heartbeat for minutes: judge liveness by the clock.
      if (model.state === 'open' && currentHealth() === 'unhealthy') {
        dispatch({ type: 'drop', code: CloseCode.heartbeatTimeout, reason: 'heartbeat timeout' });
      }
      if (model.state === 'waiting') dispatch({ type: 'retry_due', canAttempt: canAttempt() });
    },
    on(event, listener) {
      if (model.disposed) return () => {};
      return events.on(event, listener);
    },
    listenerCount() {
      return events.count();
    },
  };
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
