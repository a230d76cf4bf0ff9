import { memo, type KeyboardEvent } from 'react';
import type { RestaurantFiguresWire } from '../../../../protocol/live.ts';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { formatMs, formatRate, formatShare } from '../../../lib/format.ts';

export const rowGrid = 'grid grid-cols-[6.5rem_minmax(6rem,1fr)_6.5rem_5.5rem_5.5rem_5.5rem_5rem] items-center gap-2 px-2';

interface Props {
  r: RestaurantFiguresWire;
  /** The directory's display name, when the restaurants file has one; text, never markup. */
  name?: string | undefined;
  /**
   * False while the hub has not yet sent this row's current figures (it just came into view, see
   * live/live-interest.ts): status and connections are true, the rolling figures are held back.
   */
  live: boolean;
  index: number;
  total: number;
  active: boolean;
  onFocusRow: (index: number) => void;
  onKeyDown: (e: KeyboardEvent) => void;
}

/**
 * One restaurant as a row: the whole row is one link (roving tabindex: only the active row is in
 * the tab order; arrow keys move between rows). Hidden labels make the link read as a sentence.
 * A plain `<a>`: the list routes its clicks (lib/link-clicks.ts), a router Link per row cost more
 * than the rest of the row.
 */
export const RestaurantRow = memo(function RestaurantRow({ r, name, live, index, total, active, onFocusRow, onKeyDown }: Props) {
  const share = r.expected > 0 ? r.connections / r.expected : null;
  // Never an old figure shown as current: a placeholder until the current one arrives (one round trip).
  const rolling = (text: string): string => (live ? text : '…');
  return (
    <div role="listitem" aria-setsize={total} aria-posinset={index + 1} className="h-full">
      <a
        id={rowId(index)}
        href={`/restaurants/${encodeURIComponent(r.rid)}`}
        tabIndex={active ? 0 : -1}
        onFocus={() => onFocusRow(index)}
        onKeyDown={onKeyDown}
        className={`${rowGrid} h-full border-b border-line/60 text-sm hover:bg-raised focus-visible:bg-raised`}
        data-testid={`restaurant-row-${r.rid}`}
        data-rid={r.rid}
        data-status={r.status}
        data-connections={r.connections}
        data-live={live}
      >
        <StatusBadge status={r.status} />
        <span className="truncate font-medium">
          {name !== undefined && name !== r.rid ? (
            <>
              {name} <span className="text-xs font-normal text-muted">{r.rid}</span>
            </>
          ) : (
            r.rid
          )}
        </span>
        <span>
          <span className={r.connections < r.expected ? 'text-bad' : ''}>{r.connections}</span> / {r.expected}
          <span className="sr-only"> connected</span>
          <span className="mt-0.5 block h-1 w-full rounded bg-raised" aria-hidden="true">
            <span className="block h-1 rounded bg-accent" style={{ width: `${Math.round((share ?? 0) * 100)}%` }} />
          </span>
        </span>
        <span>
          <span className="sr-only">reconnects per minute </span>
          {rolling(formatRate(r.reconnectsPerMin))}
        </span>
        <span>
          <span className="sr-only">heartbeat success </span>
          {rolling(formatShare(r.heartbeatSuccess))}
        </span>
        <span>
          <span className="sr-only">RTT p95 </span>
          {rolling(formatMs(r.rttMs?.p95))}
        </span>
        <span className={live && r.errorsPerMin > 0 ? 'text-bad' : ''}>
          <span className="sr-only">errors per minute </span>
          {rolling(formatRate(r.errorsPerMin))}
        </span>
      </a>
    </div>
  );
}, sameRow);

/**
 * A row as text: what it shows, at the precision it shows it. A restaurant's figures change almost
 * every tick (a percentile moves with each heartbeat) while the text they read as changes far less
 * often; a row whose text would be the same is not rendered again (`npm run bench:ui`).
 */
function shownText(r: RestaurantFiguresWire): string {
  return [r.rid, r.status, r.connections, r.expected, formatRate(r.reconnectsPerMin), formatShare(r.heartbeatSuccess), formatMs(r.rttMs?.p95), formatRate(r.errorsPerMin), r.errorsPerMin > 0].join('|');
}

function sameRow(a: Props, b: Props): boolean {
  return (
    a.index === b.index &&
    a.name === b.name &&
    a.live === b.live &&
    a.total === b.total &&
    a.active === b.active &&
    a.onFocusRow === b.onFocusRow &&
    a.onKeyDown === b.onKeyDown &&
    (a.r === b.r || shownText(a.r) === shownText(b.r))
  );
}

export function rowId(index: number): string {
  return `restaurant-row-${index}`;
}
