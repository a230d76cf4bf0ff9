/**
 * How figures read on screen. "No data" is a dash, never 0: a restaurant with no heartbeats
 * expected has no success rate, and showing 0 % would raise a false alarm.
 */
import { duration } from '../../core/timeline/figure-text.ts';

export const noData = '—';

// One formatter for every count: `toLocaleString` builds its locale data again on each call, and
// the KPI tiles format a dozen counts every tick.
const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? noData : counts.format(Math.round(n));
}

/** A 0..1 share as a percentage with one decimal, floored below 100 so 99.96 % never reads 100 %. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return noData;
  const pct = share * 100;
  const shown = pct < 100 ? Math.floor(pct * 10) / 10 : 100;
  return `${shown.toFixed(shown === 100 ? 0 : 1)} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return noData;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

/** Per-minute rates: one decimal under 10, whole numbers above. */
export function formatRate(perMin: number | null | undefined): string {
  if (perMin === null || perMin === undefined || !Number.isFinite(perMin)) return noData;
  return perMin >= 10 ? perMin.toFixed(0) : perMin.toFixed(1);
}

/**
 * A duration in the largest two units: "2 d 3 h", "3 h 12 min", "4 min 05 s", "12 s". The words are
 * core's (`duration`, shared with the diagnostic report); this only adds the dash for no data.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return noData;
  return duration(ms);
}

/** Local wall-clock time, to the second: the feed and chart axes. */
export function formatClock(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3 s ago", "5 min ago"; the restaurant view's last heartbeat. */
export function formatAgo(t: number | null | undefined, now: number): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return noData;
  return `${formatDuration(Math.max(0, now - t))} ago`;
}
