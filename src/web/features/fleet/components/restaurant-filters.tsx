import { memo } from 'react';
import type { HealthStatus } from '../../../../protocol/live.ts';
import { statusLabel } from '../../../lib/health-status.ts';
import { useUrlText } from '../../../lib/use-url-text.ts';

const order: HealthStatus[] = ['offline', 'unhealthy', 'degraded', 'unknown', 'healthy'];

interface Props {
  q: string;
  status: HealthStatus | null;
  counts: Record<HealthStatus, number>;
  total: number;
  onQuery: (q: string) => void;
  onStatus: (status: HealthStatus | null) => void;
}

/** Search and status filter of the restaurant list; both live in the URL. */
export const RestaurantFilters = memo(function RestaurantFilters({ q, status, counts, total, onQuery, onStatus }: Props) {
  const [text, setText] = useUrlText(q, onQuery);
  const button = (value: HealthStatus | null, label: string, n: number) => (
    <button
      key={value ?? 'all'}
      type="button"
      aria-pressed={status === value}
      onClick={() => onStatus(value)}
      className={`rounded border px-2 py-1 text-xs ${status === value ? 'border-accent bg-accent/15 text-fg' : 'border-line text-muted hover:text-fg'}`}
      data-testid={`status-filter-${value ?? 'all'}`}
    >
      {label} <span className="tabular-nums">({n})</span>
    </button>
  );
  return (
    <div className="flex flex-wrap items-center gap-2">
      <label className="sr-only" htmlFor="restaurant-search">
        Search restaurants
      </label>
      <input
        id="restaurant-search"
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="Search restaurants…"
        className="w-48 rounded border border-line bg-page px-2 py-1 text-sm"
        autoComplete="off"
        spellCheck={false}
      />
      <div role="group" aria-label="Filter by status" className="flex flex-wrap gap-1">
        {button(null, 'All', total)}
        {order.map((s) => button(s, statusLabel[s], counts[s]))}
      </div>
    </div>
  );
}, sameFilters);

/** The counts are a new object every tick; the numbers in it change far less often. */
function sameFilters(a: Props, b: Props): boolean {
  return (
    a.q === b.q &&
    a.status === b.status &&
    a.total === b.total &&
    a.onQuery === b.onQuery &&
    a.onStatus === b.onStatus &&
    (Object.keys(a.counts) as HealthStatus[]).every((k) => a.counts[k] === b.counts[k])
  );
}
