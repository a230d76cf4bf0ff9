import { describe, expect, it } from 'vitest';
import { chartLayout } from './chart-layout.ts';

describe('the fleet chart grid', () => {
  it('uses the whole width at 1440 px: two columns of two, each chart as wide as its cell', () => {
    // 1440 px window, 16 px padding each side.
    const layout = chartLayout(1408);
    expect(layout.columns).toBe(2);
    // Two cells of (1408 - 8) / 2 = 700 px, less the frame (padding + border).
    expect(layout.chartWidth).toBe(700 - 18);
    expect(2 * (layout.chartWidth + 18) + 8).toBe(1408);
  });

  it('puts all four in one row when each still gets a usable width, and one a row on a narrow screen', () => {
    expect(chartLayout(1888)).toEqual({ columns: 4, chartWidth: Math.floor((1888 - 24) / 4) - 18 });
    expect(chartLayout(700).columns).toBe(1);
    expect(chartLayout(700).chartWidth).toBe(700 - 18);
    // Never a third column: a row of three would leave the fourth chart alone beside an empty space.
    for (let w = 300; w <= 4000; w += 7) expect([1, 2, 4]).toContain(chartLayout(w).columns);
  });

  it('never draws a chart narrower than a usable minimum', () => {
    expect(chartLayout(100).chartWidth).toBe(240);
  });
});
