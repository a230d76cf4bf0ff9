import { describe, expect, it } from 'vitest';
import { healthOf } from './health.ts';

describe('healthOf', () => {
  const t0 = 1_700_000_000_000;
  it('healthy below 20 s, degraded from 20 s, unhealthy from 30 s', () => {
    expect(healthOf(t0, t0)).toBe('healthy');
    expect(healthOf(t0, t0 + 19_999)).toBe('healthy');
    expect(healthOf(t0, t0 + 20_000)).toBe('degraded');
    expect(healthOf(t0, t0 + 29_999)).toBe('degraded');
    expect(healthOf(t0, t0 + 30_000)).toBe('unhealthy');
  });

  it('never heard from is unhealthy; a clock that stepped back is not', () => {
    expect(healthOf(undefined, t0)).toBe('unhealthy');
    expect(healthOf(NaN, t0)).toBe('unhealthy');
    expect(healthOf(t0, t0 - 5_000)).toBe('healthy');
  });

  it('takes custom thresholds, partly', () => {
    expect(healthOf(t0, t0 + 150, { degradedAfterMs: 100, unhealthyAfterMs: 200 })).toBe('degraded');
    expect(healthOf(t0, t0 + 25_000, { unhealthyAfterMs: 25_000 })).toBe('unhealthy');
  });
});
