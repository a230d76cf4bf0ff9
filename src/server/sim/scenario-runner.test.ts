/**
 * The runner's timing and targeting on a fake clock, with stand-in terminals that log what they
 * were told to do: faults start at their offset, end after their duration, repeat with `every`,
 * and random targets follow the seed.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FakeClock } from '../../core/fake-clock.ts';
import { Recorder } from './recorder.ts';
import { parseScenario } from './scenario.ts';
import { runScenario } from './scenario-runner.ts';
import type { SimTerminal } from './sim-terminal.ts';
import type { TruthEvent } from './truth-events.ts';

type Call = { at: number; tid: string; what: string };

function fakeFleet(clock: FakeClock, restaurants: number, perRestaurant: number) {
  const calls: Call[] = [];
  const terminals = [];
  for (let r = 1; r <= restaurants; r++) {
    for (let t = 1; t <= perRestaurant; t++) {
      const rid = `r-00${r}`;
      const tid = `${rid}-t${t}`;
      const log = (what: string) => () => calls.push({ at: clock.now(), tid, what });
      terminals.push({
        rid,
        tid,
        goAway: log('away'),
        comeBack: log('back'),
        setSilent: (on: boolean) => log(on ? 'silent' : 'loud')(),
        useBadToken: (kind: string) => log(`bad:${kind}`)(),
        restoreToken: log('good'),
        setProfile: (p: unknown) => log(p ? 'slow' : 'normal')(),
        flap: log('flap'),
        flood: (n: number) => log(`flood:${n}`)(),
        oversize: (n: number) => log(`oversize:${n}`)(),
        setIgnoreBackoff: (c: unknown) => log(c ? 'rogue' : 'polite')(),
      });
    }
  }
  return { calls, terminals: terminals as unknown as SimTerminal[] };
}

function run(json: unknown, seed = 1, restartGateway?: () => Promise<void>) {
  const clock = new FakeClock(0);
  const { calls, terminals } = fakeFleet(clock, 3, 2);
  const truth: TruthEvent[] = [];
  const notes: string[] = [];
  const recorder = new Recorder(undefined, (e) => truth.push(e));
  const handle = runScenario(
    parseScenario(JSON.stringify(json)),
    { clock, random: seededRandom(seed), recorder, terminals, log: (l) => notes.push(l), ...(restartGateway ? { restartGateway } : {}) },
    clock.now(),
  );
  return { clock, calls, truth, notes, handle };
}

describe('scenario runner', () => {
  it('starts a fault at its offset and ends it after its duration', () => {
    const { clock, calls, truth } = run({ faults: [{ type: 'outage', at: 10, duration: 5, restaurants: ['r-002'] }] });
    clock.advance(9_999);
    expect(calls).toEqual([]);
    clock.advance(1);
    expect(calls).toEqual([
      { at: 10_000, tid: 'r-002-t1', what: 'away' },
      { at: 10_000, tid: 'r-002-t2', what: 'away' },
    ]);
    clock.advance(5_000);
    expect(calls.slice(2)).toEqual([
      { at: 15_000, tid: 'r-002-t1', what: 'back' },
      { at: 15_000, tid: 'r-002-t2', what: 'back' },
    ]);
    expect(truth).toEqual([
      { ev: 'fault_start', t: 10_000, fault: 'outage', index: 0, restaurants: ['r-002'], terminals: ['r-002-t1', 'r-002-t2'] },
      { ev: 'fault_end', t: 15_000, fault: 'outage', index: 0 },
    ]);
    expect(clock.pendingCount).toBe(0);
  });

  it('repeats with `every`, drawing random targets from the seed', () => {
    const targetsOf = (seed: number) => {
      const { clock, truth } = run({ faults: [{ type: 'silent', at: 1, every: 10, duration: 2, randomTerminals: 2 }] }, seed);
      clock.advance(35_000);
      return truth.filter((e) => e.ev === 'fault_start').map((e) => (e.ev === 'fault_start' ? `${e.t}:${e.terminals.join('+')}` : ''));
    };
    const a = targetsOf(3);
    expect(a).toHaveLength(4);
    expect(a.map((s) => s.split(':')[0])).toEqual(['1000', '11000', '21000', '31000']);
    expect(targetsOf(3)).toEqual(a);
    expect(targetsOf(4)).not.toEqual(a);
  });

  it('flaps every everyS for the duration, then stops', () => {
    const { clock, calls } = run({ faults: [{ type: 'flap', at: 1, duration: 3, everyS: 1, terminals: ['r-001-t1'] }] });
    clock.advance(10_000);
    expect(calls.map((c) => c.at)).toEqual([1000, 2000, 3000]);
  });

  it('applies one-shot faults and bad tokens with and without a duration', () => {
    const { clock, calls } = run({
      faults: [
        { type: 'flood', at: 1, frames: 50, terminals: ['r-001-t1'] },
        { type: 'oversize', at: 1, terminals: ['r-001-t2'] },
        { type: 'bad-token', at: 2, kind: 'expired', terminals: ['r-002-t1'] },
        { type: 'bad-token', at: 2, kind: 'wrong-secret', duration: 3, terminals: ['r-002-t2'] },
        { type: 'ignore-backoff', at: 2, duration: 1, terminals: ['r-003-t1'] },
        { type: 'slow-network', at: 2, duration: 1, terminals: ['r-003-t2'] },
      ],
    });
    clock.advance(10_000);
    expect(calls.map((c) => `${c.at} ${c.tid} ${c.what}`)).toEqual([
      '1000 r-001-t1 flood:50',
      '1000 r-001-t2 oversize:102400',
      '2000 r-002-t1 bad:expired',
      '2000 r-002-t2 bad:wrong-secret',
      '2000 r-003-t1 rogue',
      '2000 r-003-t2 slow',
      '3000 r-003-t1 polite',
      '3000 r-003-t2 normal',
      '5000 r-002-t2 good',
    ]);
  });

  it('calls the restart hook, or says to restart the gateway by hand', async () => {
    let restarts = 0;
    const withHook = run({ faults: [{ type: 'gateway-restart', at: 1 }] }, 1, async () => {
      restarts++;
    });
    withHook.clock.advance(1000);
    await Promise.resolve();
    await Promise.resolve();
    expect(restarts).toBe(1);
    expect(withHook.truth.map((e) => e.ev)).toEqual(['fault_start', 'fault_end']);

    const without = run({ faults: [{ type: 'gateway-restart', at: 1 }] });
    without.clock.advance(1000);
    expect(without.notes).toEqual([expect.stringContaining('restart the gateway yourself')]);
    expect(without.truth.map((e) => e.ev)).toEqual(['fault_start', 'note', 'fault_end']);
  });

  it('stop() cancels every pending fault', () => {
    const { clock, calls, handle } = run({ faults: [{ type: 'outage', at: 5, every: 60, duration: 10, restaurants: ['r-001'] }] });
    handle.stop();
    expect(clock.pendingCount).toBe(0);
    clock.advance(100_000);
    expect(calls).toEqual([]);
  });
});
