import { memo } from 'react';

export type TileTone = 'ok' | 'warn' | 'bad' | 'neutral';

const edge: Record<TileTone, string> = {
  ok: 'border-l-ok',
  warn: 'border-l-warn',
  bad: 'border-l-bad',
  neutral: 'border-l-line',
};

export interface KpiTileProps {
  id: string;
  label: string;
  value: string;
  detail: string;
  tone: TileTone;
}

/**
 * One figure: label, value, a line of context; the tone is a coloured edge plus the words. Memoised
 * on its strings: the tiles are computed afresh every tick, and most of their text stays the same.
 */
export const KpiTile = memo(function KpiTile({ id, label, value, detail, tone }: KpiTileProps) {
  return (
    <div className={`rounded-md border border-l-4 border-line bg-surface px-3 py-2 ${edge[tone]}`} data-testid={`kpi-${id}`} data-tone={tone}>
      <div className="text-xs uppercase tracking-wide text-muted">{label}</div>
      <div className={`mt-1 font-semibold leading-snug ${value.length > 12 ? 'text-base' : 'text-lg'}`} data-testid={`kpi-${id}-value`}>
        {value}
      </div>
      <div className="mt-0.5 truncate text-xs text-muted" title={detail}>
        {detail}
      </div>
    </div>
  );
});
