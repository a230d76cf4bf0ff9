import { describe, expect, it } from 'vitest';
import { frame, T0 } from './test-helpers/telemetry-events.ts';
import { GatewayLedger } from './gateway-ledger.ts';

describe('gateway ledger', () => {
  it('sets the position at the first frame, then counts duplicates and gaps, never hiding a loss', () => {
    const ledger = new GatewayLedger();
    expect(ledger.admit(frame('gw-a', 7, []), T0).result).toBe('applied');
    expect(ledger.admit(frame('gw-a', 7, []), T0).result).toBe('duplicate');
    expect(ledger.admit(frame('gw-a', 10, []), T0).result).toEqual({ gap: 2 });
    expect(ledger.totals()).toEqual({ frames: 2, duplicates: 1, lostFrames: 2, staleFrames: 0 });
  });

  it('reports a new run as a restart (its connections died), and an older run\'s frame as stale', () => {
    const ledger = new GatewayLedger();
    ledger.admit(frame('gw-a', 5, [], [], 1), T0);
    expect(ledger.admit(frame('gw-a', 1, [], [], 2), T0)).toMatchObject({ result: 'applied', restarted: true });
    expect(ledger.admit(frame('gw-a', 6, [], [], 1), T0)).toMatchObject({ result: 'duplicate', restarted: false });
    expect(ledger.status()[0]).toMatchObject({ run: 2, lastSeq: 1, staleFrames: 1 });
  });

  it('lets a seeded gateway\'s next frame set its position, restarted only when its run is known to be older', () => {
    const ledger = new GatewayLedger();
    ledger.seed([
      { gw: 'gw-a', run: 1, heardAt: T0 },
      { gw: 'gw-b', run: -1, heardAt: T0 },
    ]);
    expect(ledger.admit(frame('gw-a', 40, [], [], 2), T0 + 1000)).toMatchObject({ result: 'applied', restarted: true });
    expect(ledger.admit(frame('gw-b', 40, [], [], 3), T0 + 1000)).toMatchObject({ result: 'applied', restarted: false });
    expect(ledger.totals().lostFrames).toBe(0);
  });

  it('finds a gateway dead once, after the timeout of silence in hub time', () => {
    const ledger = new GatewayLedger();
    ledger.admit(frame('gw-a', 1, []), T0);
    expect(ledger.expire(T0 + 15_000, 15_000)).toEqual([]);
    expect(ledger.expire(T0 + 15_001, 15_000)).toEqual(['gw-a']);
    expect(ledger.expire(T0 + 30_000, 15_000)).toEqual([]);
    expect(ledger.status()[0]).toMatchObject({ alive: false, state: 'lost' });
  });
});

describe('gateway ledger: goodbye', () => {
  const bye = (seq: number, run = 1) => ({ ...frame('gw-a', seq, [], [], run), goodbye: true as const });
  // Each row: frames in order (a number is a plain frame's seq, 'bye@n' a goodbye at seq n,
  // 'run2:n' a frame of a newer run, 'tick+Ns' an expiry check N s after T0), then what it leaves.
  const table: { name: string; steps: (number | string)[]; results: string[]; state: string; stale: number }[] = [
    { name: 'a goodbye stops the gateway', steps: [1, 'bye@2'], results: ['applied', 'stopped'], state: 'stopped', stale: 0 },
    { name: 'a stopped gateway is never expired as lost', steps: [1, 'bye@2', 'tick+60s'], results: ['applied', 'stopped', 'expired:'], state: 'stopped', stale: 0 },
    { name: 'frames of the run after its goodbye are stale', steps: [1, 'bye@2', 3], results: ['applied', 'stopped', 'duplicate'], state: 'stopped', stale: 1 },
    { name: 'the goodbye resent is a duplicate, not stale', steps: [1, 'bye@2', 'bye@2'], results: ['applied', 'stopped', 'duplicate'], state: 'stopped', stale: 0 },
    { name: 'a goodbye of an older run is ignored', steps: [1, 'run2:1', 'bye@5'], results: ['applied', 'restarted', 'duplicate'], state: 'live', stale: 1 },
    { name: 'a goodbye after a gap still stops it, the gap counted', steps: [1, 'bye@4'], results: ['applied', 'stopped'], state: 'stopped', stale: 0 },
    { name: 'a new run after a goodbye is live again (a restart)', steps: [1, 'bye@2', 'run2:1'], results: ['applied', 'stopped', 'restarted'], state: 'live', stale: 0 },
    { name: 'a lost gateway heard again under its run is revived', steps: [1, 'tick+60s', 2], results: ['applied', 'expired:gw-a', 'revived'], state: 'live', stale: 0 },
    { name: 'a lost gateway that says goodbye is stopped', steps: [1, 'tick+60s', 'bye@2'], results: ['applied', 'expired:gw-a', 'stopped'], state: 'stopped', stale: 0 },
  ];
  for (const row of table) {
    it(row.name, () => {
      const ledger = new GatewayLedger();
      const got: string[] = [];
      for (const step of row.steps) {
        if (typeof step === 'string' && step.startsWith('tick+')) {
          got.push(`expired:${ledger.expire(T0 + Number(step.slice(5, -1)) * 1000, 15_000).join(',')}`);
          continue;
        }
        const f = typeof step === 'number' ? frame('gw-a', step, []) : step.startsWith('bye@') ? bye(Number(step.slice(4))) : frame('gw-a', Number(step.slice(5)), [], [], 2);
        const a = ledger.admit(f, T0 + f.seq * 1000);
        got.push(a.result === 'duplicate' ? 'duplicate' : a.stopped ? 'stopped' : a.restarted ? 'restarted' : a.revived ? 'revived' : 'applied');
      }
      expect(got).toEqual(row.results);
      const g = ledger.status()[0];
      expect(g).toMatchObject({ state: row.state, alive: row.state === 'live', staleFrames: row.stale });
      if (row.state === 'stopped') expect(g?.stoppedAt).toBe(T0 + g!.lastSeq * 1000);
      else expect(g?.stoppedAt).toBeUndefined();
    });
  }

  it('counts the frames a goodbye skipped over as lost', () => {
    const ledger = new GatewayLedger();
    ledger.admit(frame('gw-a', 1, []), T0);
    ledger.admit(bye(4), T0);
    expect(ledger.totals()).toMatchObject({ frames: 2, lostFrames: 2 });
  });
});
