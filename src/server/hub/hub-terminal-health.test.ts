/**
 * Issue 18, item 7 (in part): a terminal's health on the REST wire carries `offline` as its own
 * value. It used to be folded into `unhealthy`, which means connected but silent — a support agent
 * could not tell a till that is off from one that hangs.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import { ev, frame, M0 } from '../../core/test-helpers/telemetry-events.ts';
import { terminalWireSchema } from '../../protocol/api.ts';
import { createHubFleet } from './hub-fleet.ts';

const S = 1000;

describe('terminal health on the wire', () => {
  it('is "offline" for an expected terminal with no connection, "healthy" once it connects, "offline" again after it closes', () => {
    const clock = new FakeClock(M0);
    const fleet = createHubFleet({ clock, known: new Map([[terminalKey('r1', 't1'), { rid: 'r1', tid: 't1', lastSeen: M0 - 3_600_000 }]]) });
    fleet.settle(M0);
    const health = (now: number) => {
      const [t] = fleet.view.terminals('r1', now);
      return terminalWireSchema.parse(t);
    };
    expect(health(M0 + S)).toMatchObject({ tid: 't1', state: 'disconnected', health: 'offline' });

    fleet.apply(frame('gw-a', 1, [], [ev.open(M0 + 2 * S, 'r1', 't1', 'c1', 'gw-a')]));
    fleet.settle(M0 + 3 * S);
    expect(health(M0 + 3 * S)).toMatchObject({ state: 'connected', health: 'healthy' });

    fleet.apply(frame('gw-a', 2, [], [ev.close(M0 + 4 * S, 'r1', 't1', 'c1', 1000, 2 * S, { gw: 'gw-a' })]));
    fleet.settle(M0 + 5 * S);
    expect(health(M0 + 5 * S)).toMatchObject({ state: 'disconnected', health: 'offline' });
  });
});
