import { describe, expect, it } from 'vitest';
import { duration, millis, seconds, share, span } from './figure-text.ts';

describe('figures in words', () => {
  it.each([
    [seconds(250), '0.3 s'],
    [seconds(500), '0.5 s'],
    [seconds(2000), '2 s'],
    [seconds(2500), '2.5 s'],
    [seconds(19_000), '19 s'],
    [seconds(904_000), '15 min 04 s'],
    [duration(4_200_000), '1 h 10 min'],
    [duration(2 * 86_400_000 + 3 * 3_600_000), '2 d 3 h'],
    [span(3_600_000), 'hour'],
    [span(3_604_000), 'hour'],
    [span(900_000), '15 min'],
    [span(86_400_000), '24 h'],
    [span(5_400_000), '90 min'],
    [millis(42.4), '42 ms'],
    [millis(1500), '1.5 s'],
    [share(0.99996), '99.9 %'],
    [share(1), '100 %'],
    [share(0.5), '50.0 %'],
  ])('%s = %s', (got, want) => {
    expect(got).toBe(want);
  });
});
