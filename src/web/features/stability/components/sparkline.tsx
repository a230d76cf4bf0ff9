import { sparklinePath } from '../model/stability-table.ts';

const W = 84;
const H = 20;

/** Daily stability over the period, 0 % at the bottom and 100 % at the top; gaps for days with no figure. */
export function Sparkline({ daily, label }: { daily: readonly (number | null)[]; label: string }) {
  return (
    <svg width={W} height={H} viewBox={`-2 -2 ${W + 4} ${H + 4}`} role="img" aria-label={label} className="text-accent">
      <path d={sparklinePath(daily, W, H)} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}
