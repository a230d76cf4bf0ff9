import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { childSeed, parseTerminalsSpec, planFleet, restaurantId, sourceAddressFor } from './fleet-plan.ts';
import { builtinProfiles, drawBaseRtt, drawFlapDelay, drawLoss, drawOneWayDelay } from './network-profile.ts';

describe('fleet plan', () => {
  it('parses a count or a range of terminals, and refuses the rest', () => {
    expect(parseTerminalsSpec('4')).toEqual({ min: 4, max: 4 });
    expect(parseTerminalsSpec('2-6')).toEqual({ min: 2, max: 6 });
    for (const bad of ['0', '6-2', 'four', '2-', '-3', '1-1001']) expect(() => parseTerminalsSpec(bad), bad).toThrow(/terminals must/);
  });

  it('names restaurants zero-padded to 3 digits and terminals after them', () => {
    expect(restaurantId(1)).toBe('r-001');
    expect(restaurantId(42)).toBe('r-042');
    expect(restaurantId(1234)).toBe('r-1234');
    const plan = planFleet({ restaurants: 2, terminals: { min: 3, max: 3 }, random: seededRandom(1), sourceAddresses: 64 });
    expect(plan.map((p) => p.tid)).toEqual(['r-001-t1', 'r-001-t2', 'r-001-t3', 'r-002-t1', 'r-002-t2', 'r-002-t3']);
    expect(plan.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('draws a range per restaurant, reproducibly from the seed', () => {
    const plan = (seed: number) => planFleet({ restaurants: 30, terminals: { min: 2, max: 6 }, random: seededRandom(seed), sourceAddresses: 64 });
    const counts = (seed: number) => {
      const byRid = new Map<string, number>();
      for (const p of plan(seed)) byRid.set(p.rid, (byRid.get(p.rid) ?? 0) + 1);
      return [...byRid.values()];
    };
    expect(counts(5)).toEqual(counts(5));
    expect(counts(5)).not.toEqual(counts(6));
    expect(counts(5).every((n) => n >= 2 && n <= 6)).toBe(true);
    // Over 30 restaurants every size of the range shows up.
    expect(new Set(counts(5)).size).toBe(5);
  });

  it('spreads source addresses over 127.0.x.y without .0 or .255, starting at 127.0.0.1', () => {
    expect(sourceAddressFor(0, 64)).toBe('127.0.0.1');
    expect(sourceAddressFor(253, 1000)).toBe('127.0.0.254');
    expect(sourceAddressFor(254, 1000)).toBe('127.0.1.1');
    expect(sourceAddressFor(64, 64)).toBe('127.0.0.1');
    expect(sourceAddressFor(5, 1)).toBe('127.0.0.1');
    const all = new Set(Array.from({ length: 19_000 }, (_, i) => sourceAddressFor(i, 64)));
    expect(all.size).toBe(64);
  });

  it('derives distinct child seeds per terminal', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => childSeed(1, i)));
    expect(seeds.size).toBe(10_000);
    expect(childSeed(1, 3)).toBe(childSeed(1, 3));
    expect(childSeed(1, 3)).not.toBe(childSeed(2, 3));
  });
});

describe('network profiles', () => {
  const random = seededRandom(42);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it('draws base RTTs around the median, within 10× of it', () => {
    const p = builtinProfiles['4g']!;
    const rtts = Array.from({ length: 5000 }, () => drawBaseRtt(p, random));
    expect(median(rtts)).toBeGreaterThan(p.rttMs * 0.9);
    expect(median(rtts)).toBeLessThan(p.rttMs * 1.1);
    expect(Math.max(...rtts)).toBeLessThanOrEqual(p.rttMs * 10);
    expect(drawBaseRtt(builtinProfiles.ideal!, random)).toBe(0);
  });

  it('jitters one-way delays by ± jitter/2 around half the RTT, never below 0', () => {
    const p = { rttMs: 100, rttSpread: 0, jitterMs: 40, loss: 0, flapEveryS: 0 };
    const delays = Array.from({ length: 2000 }, () => drawOneWayDelay(100, p, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...delays)).toBeLessThanOrEqual(70);
    expect(Math.min(...Array.from({ length: 200 }, () => drawOneWayDelay(2, { ...p, jitterMs: 100 }, random)))).toBe(0);
  });

  it('loses pings at the profile rate and flaps on average every flapEveryS', () => {
    const p = { rttMs: 0, rttSpread: 0, jitterMs: 0, loss: 0.2, flapEveryS: 60 };
    const lost = Array.from({ length: 10_000 }, () => drawLoss(p, random)).filter(Boolean).length;
    expect(lost / 10_000).toBeGreaterThan(0.18);
    expect(lost / 10_000).toBeLessThan(0.22);
    const flaps = Array.from({ length: 5000 }, () => drawFlapDelay(p, random)!);
    const mean = flaps.reduce((a, b) => a + b, 0) / flaps.length;
    expect(mean).toBeGreaterThan(55_000);
    expect(mean).toBeLessThan(65_000);
    expect(drawFlapDelay({ ...p, flapEveryS: 0 }, random)).toBeNull();
    expect(drawLoss({ ...p, loss: 0 }, random)).toBe(false);
  });
});
