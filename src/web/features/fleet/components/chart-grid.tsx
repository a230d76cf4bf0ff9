/**
 * A grid that gives its charts the width it has (chart-layout.ts): measured before the first paint
 * and again only when the container's width changes, so a live update never resizes a chart.
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { chartLayout, type ChartLayout } from './chart-layout.ts';

const columnClass: Record<ChartLayout['columns'], string> = { 1: 'grid-cols-1', 2: 'grid-cols-2', 4: 'grid-cols-4' };

export function ChartGrid({ children, placeholderPx }: { children: (chartWidth: number) => ReactNode; placeholderPx: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    // Only a width change relayouts; the same width again is the same state (no redraw).
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const layout = width === null ? null : chartLayout(width);
  return (
    <div ref={ref} className={`grid gap-2 ${layout ? columnClass[layout.columns] : ''}`} data-testid="fleet-chart-grid" data-columns={layout?.columns}>
      {/* Until measured, nothing is drawn at a guessed size (it would be drawn twice). */}
      {layout ? children(layout.chartWidth) : <div style={{ height: placeholderPx }} />}
    </div>
  );
}
