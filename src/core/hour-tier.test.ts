import { describe, expect, it } from 'vitest';
import { HOUR_MS, decodePosition, encodePosition, minuteCutoff, planSegments, planTiers, rolledThrough } from './hour-tier.ts';

const H = (n: number) => n * HOUR_MS;
const DAY = 24 * HOUR_MS;

describe('planTiers', () => {
  const s = { rolledThrough: H(100), minutesFrom: H(40), longWindowMs: 11 * DAY };

  it('answers from minutes while they are kept and the window is short', () => {
    expect(planSegments(H(50), H(60), planTiers(H(50), H(60), s))).toEqual([{ tier: 'minutes', from: H(50), to: H(60) }]);
  });

  it('takes hours whose minutes are gone — whole, when they start in the window — and minutes after', () => {
    const from = H(30) + 5 * 60_000;
    expect(planSegments(from, H(50), planTiers(from, H(50), s))).toEqual([
      { tier: 'minutes', from, to: H(31) },
      { tier: 'hours', from: H(31), to: H(40) },
      { tier: 'minutes', from: H(40), to: H(50) },
    ]);
    // A short window inside an expired hour gets that hour when it starts in it, else nothing from hours.
    expect(planTiers(H(35), H(35) + 60_000, s)).toEqual({ hoursFrom: H(35), hoursTo: H(36) });
    expect(planSegments(H(35) + 60_000, H(35) + 120_000, planTiers(H(35) + 60_000, H(35) + 120_000, s))).toEqual([{ tier: 'minutes', from: H(35) + 60_000, to: H(35) + 120_000 }]);
  });

  it('reads a long window from the rolled hours wholly inside it, minutes for the rest', () => {
    const long = { ...s, longWindowMs: 2 * HOUR_MS };
    const to = H(120) + 30 * 60_000;
    expect(planSegments(H(50) + 1, to, planTiers(H(50) + 1, to, long))).toEqual([
      { tier: 'minutes', from: H(50) + 1, to: H(51) },
      { tier: 'hours', from: H(51), to: H(100) },
      { tier: 'minutes', from: H(100), to },
    ]);
  });

  it('never plans hours that are not rolled', () => {
    const none = { rolledThrough: -Infinity, minutesFrom: -Infinity, longWindowMs: 0 };
    expect(planSegments(0, H(10), planTiers(0, H(10), none))).toEqual([{ tier: 'minutes', from: 0, to: H(10) }]);
  });
});

describe('the roll-up position', () => {
  it('round-trips, and an unreadable one is no position', () => {
    expect(decodePosition(encodePosition({ hour: H(5), rid: 'r-1' }))).toEqual({ hour: H(5), rid: 'r-1' });
    expect(decodePosition(encodePosition({ hour: H(5) }))).toEqual({ hour: H(5) });
    expect(decodePosition('{"hour":12}')).toBeUndefined();
    expect(decodePosition('nope')).toBeUndefined();
    expect(rolledThrough(undefined)).toBe(-Infinity);
  });

  it('lets minute retention cut only what is rolled, on an hour', () => {
    expect(minuteCutoff(H(1000) + 7, 14 * DAY, { hour: H(2000) })).toBe(H(1000) - 14 * DAY);
    expect(minuteCutoff(H(1000), 14 * DAY, { hour: H(10), rid: 'r-1' })).toBe(H(10));
    expect(minuteCutoff(H(1000), 14 * DAY, undefined)).toBe(-Infinity);
  });
});
