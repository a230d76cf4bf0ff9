/**
 * How the fleet's charts share the width they are given (issue 18, item 8). Charts keep a fixed
 * size between redraws (DESIGN.md: recharts must not measure on every update), so the size is
 * chosen here from the container's width, and changes only when the container does.
 *
 * Columns are 4, 2 or 1 — a divisor of the four charts, so no row is left with one chart and an
 * empty space beside it — the most that still gives each chart `minChartPx`.
 */
export interface ChartLayout {
  columns: 1 | 2 | 4;
  /** The width each chart draws at, px (inside its frame). */
  chartWidth: number;
}

export interface LayoutOptions {
  /** Between two columns, px (tailwind `gap-2`). */
  gapPx?: number;
  /** A chart's frame: padding and border on both sides, px (`p-2` + `border`). */
  framePx?: number;
  minChartPx?: number;
}

export function chartLayout(containerWidth: number, { gapPx = 8, framePx = 18, minChartPx = 400 }: LayoutOptions = {}): ChartLayout {
  const widthAt = (columns: number): number => Math.floor((containerWidth - gapPx * (columns - 1)) / columns) - framePx;
  for (const columns of [4, 2] as const) if (widthAt(columns) >= minChartPx) return { columns, chartWidth: widthAt(columns) };
  // One column: as wide as there is, but never drawn narrower than a usable chart (it scrolls).
  return { columns: 1, chartWidth: Math.max(widthAt(1), 240) };
}
