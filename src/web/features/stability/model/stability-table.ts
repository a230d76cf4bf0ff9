/**
 * The `/stability` table as data: rows from the API answer, the trend arrow, sorting by any
 * column (no figure always sorts last, whichever the direction), the tag filter and the CSV
 * export. Pure, so it is tested without a DOM; the components only draw it.
 */
import type { StabilityAnswer } from '../../../../protocol/stability.ts';

export type Trend = 'better' | 'worse' | 'same' | 'unknown';

export interface StabilityRow {
  rank: number;
  rid: string;
  name: string;
  tags: readonly string[];
  withHours: boolean;
  stability: number | null;
  previous: number | null;
  /** Current − previous share; null when either is missing. */
  change: number | null;
  trend: Trend;
  reconnectsPerOpenHour: number | null;
  heartbeatSuccess: number | null;
  durationMeanMs: number | null;
  durationP95Ms: number | null;
  rttP95Ms: number | null;
  deliveryP95Ms: number | null;
  disconnects: number;
  daily: readonly (number | null)[];
}

export const sortColumns = ['rank', 'name', 'stability', 'change', 'reconnectsPerOpenHour', 'heartbeatSuccess', 'durationMeanMs', 'rttP95Ms', 'deliveryP95Ms', 'disconnects'] as const;
export type SortColumn = (typeof sortColumns)[number];
export type SortDir = 'asc' | 'desc';

/** A change under half a point is noise at the precision shown (one decimal of a percent). */
export const trendThreshold = 0.005;

export function trendOf(change: number | null): Trend {
  if (change === null) return 'unknown';
  if (change >= trendThreshold) return 'better';
  if (change <= -trendThreshold) return 'worse';
  return 'same';
}

/** Rows in the hub's order (worst first), numbered by it. */
export function rowsOf(answer: StabilityAnswer): StabilityRow[] {
  return answer.restaurants.map((r, i) => ({
    rank: i + 1,
    rid: r.rid,
    name: r.name,
    tags: r.tags,
    withHours: r.withHours,
    stability: r.current.stability,
    previous: r.previous.stability,
    change: r.change.stability,
    trend: trendOf(r.change.stability),
    reconnectsPerOpenHour: r.current.reconnectsPerOpenHour,
    heartbeatSuccess: r.current.heartbeatSuccess,
    durationMeanMs: r.current.durationMs?.mean ?? null,
    durationP95Ms: r.current.durationMs?.p95 ?? null,
    rttP95Ms: r.current.rttMs?.p95 ?? null,
    deliveryP95Ms: r.current.deliveryMs?.p95 ?? null,
    disconnects: Object.values(r.current.disconnects).reduce((a, b) => a + b, 0),
    daily: r.daily,
  }));
}

/** A tag in a file name: `-region_north`, nothing without a tag. */
export const fileSuffix = (tag: string | null) => (tag ? `-${tag.replace(/[^A-Za-z0-9._-]/g, '_')}` : '');

/** The rows a search keeps: the query (case-insensitive) in the id, the display name or a tag. Ranks stay the hub's. */
export function searchRows(rows: readonly StabilityRow[], q: string): StabilityRow[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [...rows];
  return rows.filter((r) => r.rid.toLowerCase().includes(needle) || r.name.toLowerCase().includes(needle) || r.tags.some((t) => t.toLowerCase().includes(needle)));
}

export function sortRows(rows: readonly StabilityRow[], column: SortColumn, dir: SortDir): StabilityRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    if (x === y) return a.rank - b.rank;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number);
    return c * sign || a.rank - b.rank;
  });
}

export function isSortColumn(v: string | null): v is SortColumn {
  return v !== null && (sortColumns as readonly string[]).includes(v);
}

const csvColumns: [string, (r: StabilityRow) => string | number | null][] = [
  ['rank', (r) => r.rank],
  ['rid', (r) => r.rid],
  ['name', (r) => r.name],
  ['tags', (r) => r.tags.join(' ')],
  ['within_opening_hours', (r) => (r.withHours ? 'yes' : 'no')],
  ['stability', (r) => r.stability],
  ['previous_stability', (r) => r.previous],
  ['change', (r) => r.change],
  ['reconnects_per_open_hour', (r) => r.reconnectsPerOpenHour],
  ['heartbeat_success', (r) => r.heartbeatSuccess],
  ['duration_mean_ms', (r) => r.durationMeanMs],
  ['duration_p95_ms', (r) => r.durationP95Ms],
  ['rtt_p95_ms', (r) => r.rttP95Ms],
  ['delivery_p95_ms', (r) => r.deliveryP95Ms],
  ['disconnects', (r) => r.disconnects],
];

/**
 * One cell: quoted when it holds a comma, quote or line break; a text starting with = + - @ is
 * prefixed with ' so a spreadsheet never runs a restaurant's name as a formula. Numbers are the
 * API's, unrounded, so the CSV matches the API.
 */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvOf(rows: readonly StabilityRow[]): string {
  const lines = [csvColumns.map(([h]) => h).join(',')];
  for (const r of rows) lines.push(csvColumns.map(([, get]) => csvCell(get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The sparkline of daily stability as an SVG path in a `width` × `height` box; gaps where a day has no figure. */
export function sparklinePath(daily: readonly (number | null)[], width: number, height: number): string {
  const step = daily.length > 1 ? width / (daily.length - 1) : 0;
  let d = '';
  let pen = false;
  daily.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = (daily.length > 1 ? i * step : width / 2).toFixed(1);
    const y = ((1 - v) * height).toFixed(1);
    d += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  });
  return d;
}
