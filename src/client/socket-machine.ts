/**
 * The resilient socket's state machine: the ONE place where its state and attempt counter change.
 * Pure: an input and the current model give the next model and the commands the shell must carry
 * out (open a socket, schedule a retry, ...). The shell owns sockets and timers, never decisions.
 *
 *   idle ─connect→ connecting ─opened→ open ─lost→ waiting ─retry_due→ connecting …
 *   open/connecting ─drop→ closing ─released→ waiting     (as if the connection had dropped)
 *   open/connecting ─close/dispose→ closing ─released→ closed
 *   lost with 4001/4003, or too many attempts → failed     (connect() starts again)
 */
import { CloseCode, isTerminalCloseCode } from '../protocol/close-codes.ts';
import type { FailReason, SocketState } from './socket-types.ts';

export interface Model {
  readonly state: SocketState;
  /** Reconnect attempts since the last reset; reset only by a stable connection or a manual connect. */
  readonly attempts: number;
  /** Once set, nothing but finishing the current close is ever done again. */
  readonly disposed: boolean;
  /** What `closing` ends in: `close()` ends closed, `drop()` ends like a lost connection. */
  readonly afterClosing: 'closed' | 'retry';
}

export const initialModel: Model = { state: 'idle', attempts: 0, disposed: false, afterClosing: 'closed' };

export type Input =
  | { type: 'connect'; canAttempt: boolean }
  /** The retry timer fired, or `checkNow()` asked not to wait for it. */
  | { type: 'retry_due'; canAttempt: boolean }
  | { type: 'opened' }
  /** The current socket closed by itself (server close, network loss, refused handshake). */
  | { type: 'lost'; code: number; reason: string }
  /** The connection stayed up long enough and answered a ping: attempts reset. */
  | { type: 'stable' }
  | { type: 'drop'; code: number; reason: string }
  | { type: 'close'; code: number; reason: string }
  | { type: 'dispose'; code: number; reason: string }
  /** Follows a `release` made while closing; carries the code we closed with. */
  | { type: 'released'; code: number };

export type Command =
  | { type: 'cancel_retry' }
  | { type: 'open_socket'; attempt: number }
  | { type: 'start_session'; attempt: number }
  /** Stop the connection's timers, detach its handlers; close the wire unless it closed itself. */
  | { type: 'release'; code: number; reason: string; closeWire: boolean }
  | { type: 'schedule_retry'; attempt: number }
  | { type: 'failed'; reason: FailReason; code: number }
  | { type: 'forget_listeners' }
  /** Feed this input next, before anything queued meanwhile. */
  | { type: 'continue'; input: Input };

export interface Limits {
  readonly maxReconnectAttempts: number;
}

export interface Step {
  readonly model: Model;
  readonly commands: readonly Command[];
}

const unchanged = (model: Model): Step => ({ model, commands: [] });

export function step(model: Model, input: Input, limits: Limits): Step {
  // A disposed socket only finishes the close that disposed it (PITFALLS: reconnecting-websocket#14).
  if (model.disposed && input.type !== 'released') return unchanged(model);
  const { state } = model;
  const live = state === 'connecting' || state === 'open';

  switch (input.type) {
    case 'connect':
      if (state === 'idle' || state === 'closed' || state === 'failed') {
        // From failed or closed this is a manual reconnect: the user asked, so the count restarts.
        return attempt({ ...model, attempts: 0 }, input.canAttempt);
      }
      return state === 'waiting' ? attempt(model, input.canAttempt) : unchanged(model);

    case 'retry_due':
      return state === 'waiting' ? attempt(model, input.canAttempt) : unchanged(model);

    case 'opened':
      if (state !== 'connecting') return unchanged(model);
      return { model: { ...model, state: 'open' }, commands: [{ type: 'start_session', attempt: model.attempts }] };

    case 'stable':
      return state === 'open' ? { model: { ...model, attempts: 0 }, commands: [] } : unchanged(model);

    case 'lost': {
      if (!live) return unchanged(model);
      const release: Command = { type: 'release', code: input.code, reason: input.reason, closeWire: false };
      return afterLoss(model, input.code, true, [release], limits);
    }

    case 'drop':
      if (!live) return unchanged(model);
      return closing({ ...model, afterClosing: 'retry' }, input.code, input.reason);

    case 'close':
      if (live) return closing({ ...model, afterClosing: 'closed' }, input.code, input.reason);
      if (state === 'closed' || state === 'closing') return unchanged(model);
      return { model: { ...model, state: 'closed' }, commands: [{ type: 'cancel_retry' }] };

    case 'dispose': {
      const disposed: Model = { ...model, disposed: true, afterClosing: 'closed' };
      const forget: Command = { type: 'forget_listeners' };
      if (live) {
        const next = closing(disposed, input.code, input.reason);
        return { model: next.model, commands: [forget, ...next.commands] };
      }
      return { model: { ...disposed, state: 'closed' }, commands: [forget, { type: 'cancel_retry' }] };
    }

    case 'released':
      if (state !== 'closing') return unchanged(model);
      if (model.afterClosing === 'closed') return { model: { ...model, state: 'closed' }, commands: [] };
      // A drop we made is not the server refusing us: terminal close codes do not apply.
      return afterLoss(model, input.code, false, [], limits);
  }
}

function attempt(model: Model, canAttempt: boolean): Step {
  if (!canAttempt) {
    // Offline or hidden: wait without a timer; `checkNow()` tries again when that changes.
    return { model: { ...model, state: 'waiting' }, commands: [{ type: 'cancel_retry' }] };
  }
  return {
    model: { ...model, state: 'connecting' },
    commands: [{ type: 'cancel_retry' }, { type: 'open_socket', attempt: model.attempts }],
  };
}

function closing(model: Model, code: number, reason: string): Step {
  return {
    model: { ...model, state: 'closing' },
    commands: [
      { type: 'cancel_retry' },
      { type: 'release', code, reason, closeWire: true },
      // We do not wait for the peer's close frame: a dead peer would hold us in `closing` for
      // ws's 30 s closeTimeout, and the released socket can no longer act on us anyway.
      { type: 'continue', input: { type: 'released', code } },
    ],
  };
}

function afterLoss(model: Model, code: number, serverSaid: boolean, before: Command[], limits: Limits): Step {
  if (serverSaid && isTerminalCloseCode(code)) {
    // Retrying with the same token cannot succeed; a manual connect() (new token) starts again.
    const reason: FailReason = code === CloseCode.invalidToken ? 'token_rejected' : 'forbidden';
    return { model: { ...model, state: 'failed' }, commands: [...before, { type: 'failed', reason, code }] };
  }
  if (model.attempts >= limits.maxReconnectAttempts) {
    return {
      model: { ...model, state: 'failed' },
      commands: [...before, { type: 'failed', reason: 'max_reconnect_reached', code }],
    };
  }
  const attempts = model.attempts + 1;
  return {
    model: { ...model, state: 'waiting', attempts },
    commands: [...before, { type: 'schedule_retry', attempt: attempts }],
  };
}
