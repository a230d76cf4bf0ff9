import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { HealthStatus, RestaurantFiguresWire } from '../../../../protocol/live.ts';
import { useNavigate } from 'react-router';
import { LiveFigures } from '../../../components/live-figures.tsx';
import { routeLinkClicks } from '../../../lib/link-clicks.ts';
import { isLive } from '../../../live/live-interest.ts';
import { useLive, useLiveInterest } from '../../../live/use-live.ts';
import { nextRowIndex } from '../model/list-keys.ts';
import type { RestaurantsChange } from '../../../live/live-data.ts';
import { useDirectory } from '../../../lib/use-directory.ts';
import { countByStatus, searchTextOf, updatedOrder, visibleRestaurants, type RestaurantFilter } from '../model/restaurant-order.ts';
import { RestaurantFilters } from './restaurant-filters.tsx';
import { RestaurantRow, rowGrid, rowId } from './restaurant-row.tsx';

const rowHeight = 44;
const viewportRows = 13;
// Rows rendered beyond the viewport on each side. Every rendered row re-renders on most ticks
// (worst-first shifts them): 6 a side made 12 of the 25 rows rendered ones nobody sees; 2 still
// cover a wheel step before the next frame renders more.
const overscanRows = 2;
/**
 * Rows on each side of the rendered ones that the hub is asked to keep live as well (interest,
 * protocol/live.ts): a wheel step or a re-sort that brings them in shows current figures at once.
 * 13 in view + 2 × (2 + 12) = 41 restaurants, within the 64 an interest may name.
 */
const nearRows = 12;

interface Props {
  q: string;
  status: HealthStatus | null;
  onQuery: (q: string) => void;
  onStatus: (status: HealthStatus | null) => void;
}

/** Every restaurant in scope, worst first; only the rows in view are in the DOM. */
export function RestaurantList({ q, status, onQuery, onStatus }: Props) {
  const restaurants = useLive((s) => s.restaurants);
  const changed = useLive((s) => s.restaurantsChanged);
  const refreshS = useLive((s) => Math.round(s.refreshMs / 1000));
  // The order shown last and what it was computed from: the next one starts from it.
  const shown = useRef<ShownOrder | null>(null);
  // Names and tags of the restaurants file: searched beside the id and shown in the row.
  const directory = useDirectory().data;
  const names = useMemo(() => (directory ? searchTextOf(directory.restaurants) : undefined), [directory]);
  const displayNames = useMemo(() => new Map(directory?.restaurants.map((e) => [e.rid, e.name])), [directory]);
  const rows = useMemo(() => orderFor(shown.current, restaurants, changed, { q, status, names }), [restaurants, changed, q, status, names]);
  useEffect(() => {
    shown.current = { rows, of: restaurants, q, status, names };
  }, [rows, restaurants, q, status, names]);
  const counts = useMemo(() => countByStatus(restaurants.values()), [restaurants]);
  const navigate = useNavigate();
  const onClick = useMemo(() => routeLinkClicks((path) => void navigate(path)), [navigate]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const focusWanted = useRef<number | null>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: overscanRows });
  const activeRow = Math.min(active, Math.max(0, rows.length - 1));

  // A row scrolled into view by the keyboard is rendered a frame later: focus it once it exists.
  useEffect(() => {
    if (focusWanted.current === null) return;
    const el = document.getElementById(rowId(focusWanted.current));
    if (el) {
      el.focus({ preventScroll: true });
      focusWanted.current = null;
    }
  });

  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      const next = nextRowIndex(e.key, activeRow, rows.length, viewportRows - 1);
      if (next === null) return;
      e.preventDefault();
      setActive(next);
      focusWanted.current = next;
      virtualizer.scrollToIndex(next, { align: 'auto' });
    },
    [activeRow, rows.length, virtualizer],
  );

  const items = virtualizer.getVirtualItems();
  const interest = useLive((s) => s.interest);
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;
  useLiveInterest('fleet-list', rows.slice(Math.max(0, first - nearRows), last + nearRows + 1).map((r) => r.rid));
  // Scrolled away with the mouse, the active row is not rendered: keep one visible row tabbable.
  const tabbable = items.some((i) => i.index === activeRow) ? activeRow : items[0]?.index;

  return (
    <section aria-labelledby="restaurants-title" className="rounded-md border border-line bg-surface">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-line p-2">
        <h2 id="restaurants-title" className="font-medium">
          Restaurants <span className="text-sm text-muted">({rows.length} shown, worst first)</span>
        </h2>
        <RestaurantFilters q={q} status={status} counts={counts} total={restaurants.size} onQuery={onQuery} onStatus={onStatus} />
      </div>
      <div className={`${rowGrid} border-b border-line py-1 text-xs uppercase tracking-wide text-muted`} aria-hidden="true">
        <span>Status</span>
        <span>Restaurant</span>
        <span>Connected</span>
        <span>Reconn./min</span>
        <span>Heartbeat</span>
        <span>RTT p95</span>
        <span>Errors/min</span>
      </div>
      <LiveFigures label="Restaurant list">
        <div ref={scrollRef} className="overflow-auto" style={{ height: rowHeight * viewportRows }} data-testid="restaurant-list">
          {rows.length === 0 ? (
            <p className="p-4 text-sm text-muted">{restaurants.size === 0 ? 'No restaurants yet.' : 'No restaurant matches these filters.'}</p>
          ) : (
            // The rows are links; their clicks are routed here, once for the list (see restaurant-row.tsx).
            <div role="list" aria-label="Restaurants, worst first" onClick={onClick} style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const r = rows[item.index]!;
                // Keyed by place, not by restaurant: worst-first reorders rows every tick, and a row
                // keyed by rid would be moved or remounted in the DOM (and repainted) each time; a
                // row keyed by place only has its text changed.
                return (
                  <div key={item.index} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${item.start}px)` }}>
                    <RestaurantRow r={r} name={displayNames.get(r.rid)} live={isLive({ interest }, r.rid)} index={item.index} total={rows.length} active={item.index === tabbable} onFocusRow={setActive} onKeyDown={onKeyDown} />
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </LiveFigures>
      {refreshS > 0 && (
        <p className="border-t border-line px-2 py-1 text-xs text-muted">
          Status and connections are live; rates, heartbeat and RTT cover the last minute and refresh at least every {refreshS} s.
        </p>
      )}
    </section>
  );
}

interface ShownOrder extends RestaurantFilter {
  rows: readonly RestaurantFiguresWire[];
  of: ReadonlyMap<string, RestaurantFiguresWire>;
}

/**
 * The rows in order: from the changed rids alone when the order shown was computed, with the same
 * filter, from the map the last batch changed (the usual tick); otherwise sorted again, starting
 * from the order shown (almost sorted: TimSort's best case).
 */
function orderFor(last: ShownOrder | null, now: ReadonlyMap<string, RestaurantFiguresWire>, change: RestaurantsChange | null, filter: RestaurantFilter): RestaurantFiguresWire[] {
  if (last && change && change.from === last.of && last.q === filter.q && last.status === filter.status && last.names === filter.names) return updatedOrder(last.rows, now, change.rids, filter);
  return visibleRestaurants(now, filter, last?.rows);
}
