/**
 * Plays a scenario's faults against a running fleet: each at its offset from the fleet's start,
 * ended after its duration, repeated if it says `every`. Every start and end is written to the
 * ground truth with the exact restaurants and terminals it hit, so a test (or the hub's
 * reconciliation) knows what should have happened to whom.
 */
import type { Clock, Random, TimerHandle } from '../../core/clock.ts';
import type { NetworkProfile } from './network-profile.ts';
import type { Recorder } from './recorder.ts';
import { ScenarioError, formatPath, resolveProfile } from './scenario.ts';
import type { Fault, Scenario, Target } from './scenario.ts';
import type { SimTerminal } from './sim-terminal.ts';

export interface ScenarioContext {
  clock: Clock;
  /** The fleet's own seeded stream: random targets are reproducible from the seed. */
  random: Random;
  recorder: Recorder;
  terminals: readonly SimTerminal[];
  /** Restarts the gateway (tests pass one). Without it a restart is only announced. */
  restartGateway?: () => Promise<void> | void;
  log: (line: string) => void;
}

export interface ScenarioRun {
  /** Cancels every pending fault; faults in progress are left as they are (the fleet is stopping). */
  stop(): void;
}

/** Refuses named targets the fleet does not have, with the path of each, before anything starts. */
export function checkTargets(scenario: Scenario, source: string, terminals: readonly SimTerminal[]): void {
  const rids = new Set(terminals.map((t) => t.rid));
  const tids = new Set(terminals.map((t) => t.tid));
  const issues: string[] = [];
  scenario.faults.forEach((f, i) => {
    if (f.type === 'gateway-restart') return;
    f.restaurants?.forEach((rid, j) => {
      if (!rids.has(rid)) issues.push(`${formatPath(['faults', i, 'restaurants', j])}: ${rid} is not in this fleet of ${rids.size} restaurants`);
    });
    f.terminals?.forEach((tid, j) => {
      if (!tids.has(tid)) issues.push(`${formatPath(['faults', i, 'terminals', j])}: ${tid} is not in this fleet`);
    });
    if (f.randomRestaurants !== undefined && f.randomRestaurants > rids.size) {
      issues.push(`${formatPath(['faults', i, 'randomRestaurants'])}: ${f.randomRestaurants} is more than the ${rids.size} restaurants of this fleet`);
    }
    if (f.randomTerminals !== undefined && f.randomTerminals > tids.size) {
      issues.push(`${formatPath(['faults', i, 'randomTerminals'])}: ${f.randomTerminals} is more than the ${tids.size} terminals of this fleet`);
    }
  });
  if (issues.length > 0) throw new ScenarioError(source, issues);
}

/** `n` distinct items, drawn with a partial Fisher–Yates shuffle. */
function sample<T>(items: readonly T[], n: number, random: Random): T[] {
  const copy = items.slice();
  const k = Math.min(n, copy.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

function pickTargets(target: Target, ctx: ScenarioContext): SimTerminal[] {
  if (target.terminals) {
    const wanted = new Set(target.terminals);
    return ctx.terminals.filter((t) => wanted.has(t.tid));
  }
  if (target.randomTerminals !== undefined) return sample(ctx.terminals, target.randomTerminals, ctx.random);
  let rids = target.restaurants ?? [];
  if (target.randomRestaurants !== undefined) rids = sample([...new Set(ctx.terminals.map((t) => t.rid))], target.randomRestaurants, ctx.random);
  const wanted = new Set(rids);
  return ctx.terminals.filter((t) => wanted.has(t.rid));
}

export function runScenario(scenario: Scenario, ctx: ScenarioContext, startedAt: number): ScenarioRun {
  const timers = new Set<TimerHandle>();
  let stopped = false;

  const later = (atMs: number, fn: () => void): void => {
    if (stopped) return;
    const handle = ctx.clock.setTimeout(() => {
      timers.delete(handle);
      if (!stopped) fn();
    }, Math.max(0, atMs - ctx.clock.now()));
    timers.add(handle);
  };

  const note = (text: string): void => {
    ctx.log(text);
    ctx.recorder.record({ ev: 'note', t: ctx.clock.now(), text });
  };

  const begin = (fault: Fault, index: number, targets: SimTerminal[]): void => {
    ctx.recorder.record({
      ev: 'fault_start',
      t: ctx.clock.now(),
      fault: fault.type,
      index,
      restaurants: [...new Set(targets.map((t) => t.rid))],
      terminals: targets.map((t) => t.tid),
    });
  };
  const end = (fault: Fault, index: number): void => {
    ctx.recorder.record({ ev: 'fault_end', t: ctx.clock.now(), fault: fault.type, index });
  };

  const restart = (fault: Fault, index: number): void => {
    begin(fault, index, []);
    if (!ctx.restartGateway) {
      note('scenario: gateway restart due now — restart the gateway yourself (the simulator cannot restart an external gateway)');
      end(fault, index);
      return;
    }
    void (async () => {
      try {
        await ctx.restartGateway?.();
      } catch (error) {
        note(`scenario: gateway restart failed: ${(error as Error).message}`);
      }
      end(fault, index);
    })();
  };

  /** Starts one occurrence; returns what undoes it after `duration`, if anything. */
  const apply = (fault: Exclude<Fault, { type: 'gateway-restart' }>, targets: SimTerminal[]): (() => void) | null => {
    switch (fault.type) {
      case 'outage':
        targets.forEach((t) => t.goAway());
        return () => targets.forEach((t) => t.comeBack());
      case 'silent':
        targets.forEach((t) => t.setSilent(true));
        return () => targets.forEach((t) => t.setSilent(false));
      case 'bad-token':
        targets.forEach((t) => t.useBadToken(fault.kind));
        return fault.duration === undefined ? null : () => targets.forEach((t) => t.restoreToken());
      case 'slow-network': {
        const profile: NetworkProfile = resolveProfile(fault.profile, scenario);
        targets.forEach((t) => t.setProfile(profile));
        return () => targets.forEach((t) => t.setProfile(null));
      }
      case 'flap': {
        const until = ctx.clock.now() + fault.duration * 1000;
        const tick = (): void => {
          targets.forEach((t) => t.flap());
          const next = ctx.clock.now() + fault.everyS * 1000;
          if (next < until) later(next, tick);
        };
        tick();
        return () => {};
      }
      case 'flood':
        targets.forEach((t) => t.flood(fault.frames));
        return null;
      case 'oversize':
        targets.forEach((t) => t.oversize(fault.bytes));
        return null;
      case 'ignore-backoff':
        targets.forEach((t) => t.setIgnoreBackoff({ delayMs: fault.delayMs, upMs: fault.upMs }));
        return () => targets.forEach((t) => t.setIgnoreBackoff(null));
    }
  };

  const occur = (fault: Fault, index: number, atMs: number): void => {
    later(atMs, () => {
      if (fault.every !== undefined) occur(fault, index, atMs + fault.every * 1000);
      if (fault.type === 'gateway-restart') {
        restart(fault, index);
        return;
      }
      const targets = pickTargets(fault, ctx);
      begin(fault, index, targets);
      const undo = apply(fault, targets);
      if (undo === null || !('duration' in fault) || fault.duration === undefined) {
        end(fault, index);
        return;
      }
      later(ctx.clock.now() + fault.duration * 1000, () => {
        undo();
        end(fault, index);
      });
    });
  };

  scenario.faults.forEach((fault, index) => occur(fault, index, startedAt + fault.at * 1000));

  return {
    stop() {
      stopped = true;
      for (const handle of timers) ctx.clock.clearTimeout(handle);
      timers.clear();
    },
  };
}
