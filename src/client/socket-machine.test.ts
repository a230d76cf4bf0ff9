import { describe, expect, it } from 'vitest';
import { initialModel, step } from './socket-machine.ts';
import type { Input, Model } from './socket-machine.ts';
import type { SocketState } from './socket-types.ts';

const limits = { maxReconnectAttempts: Infinity };
const states: SocketState[] = ['idle', 'connecting', 'open', 'closing', 'waiting', 'failed', 'closed'];
const at = (state: SocketState, attempts = 3): Model => ({ ...initialModel, state, attempts });

describe('socket machine', () => {
  it('connect() opens a socket only from idle, waiting, failed or closed', () => {
    for (const state of states) {
      const { model, commands } = step(at(state), { type: 'connect', canAttempt: true }, limits);
      const opens = commands.some((c) => c.type === 'open_socket');
      expect([state, opens]).toEqual([state, ['idle', 'waiting', 'failed', 'closed'].includes(state)]);
      if (!opens) expect(model).toEqual(at(state));
    }
  });

  it('a manual connect resets attempts from failed, a retry from waiting keeps them', () => {
    expect(step(at('failed'), { type: 'connect', canAttempt: true }, limits).model.attempts).toBe(0);
    expect(step(at('waiting'), { type: 'connect', canAttempt: true }, limits).model.attempts).toBe(3);
    expect(step(at('waiting'), { type: 'retry_due', canAttempt: true }, limits).model.attempts).toBe(3);
  });

  it('a disposed model ignores every input but the end of its own close', () => {
    const inputs: Input[] = [
      { type: 'connect', canAttempt: true },
      { type: 'retry_due', canAttempt: true },
      { type: 'opened' },
      { type: 'lost', code: 1006, reason: '' },
      { type: 'stable' },
      { type: 'drop', code: 1000, reason: '' },
      { type: 'close', code: 1000, reason: '' },
      { type: 'dispose', code: 1000, reason: '' },
    ];
    for (const state of states) {
      const disposed = { ...at(state), disposed: true };
      for (const input of inputs) expect(step(disposed, input, limits)).toEqual({ model: disposed, commands: [] });
    }
    const closing = { ...at('closing'), disposed: true };
    expect(step(closing, { type: 'released', code: 1000 }, limits).model.state).toBe('closed');
  });

  it('only a wire close from the server is terminal for 4001; our own drop with 4001 retries', () => {
    const lost = step(at('open'), { type: 'lost', code: 4001, reason: '' }, limits);
    expect(lost.model.state).toBe('failed');
    const closing = step(at('open'), { type: 'drop', code: 4001, reason: '' }, limits).model;
    expect(step(closing, { type: 'released', code: 4001 }, limits).model.state).toBe('waiting');
  });

  it('the attempt that reaches the limit fails instead of scheduling', () => {
    const max = { maxReconnectAttempts: 3 };
    expect(step(at('open', 2), { type: 'lost', code: 1006, reason: '' }, max).commands).toContainEqual({ type: 'schedule_retry', attempt: 3 });
    expect(step(at('open', 3), { type: 'lost', code: 1006, reason: '' }, max).commands).toContainEqual({
      type: 'failed',
      reason: 'max_reconnect_reached',
      code: 1006,
    });
  });
});
