/**
 * How the diagnostic report writes figures in words. Clock times are not here: the caller formats
 * them (its time zone and locale), so the report — and its tests — do not depend on the machine's.
 */

/** "0.5 s", "2 s", "2.5 s" below 10 s; whole seconds to a minute; then a duration. */
export function seconds(ms: number): string {
  if (ms >= 60_000) return duration(ms);
  const s = ms / 1000;
  if (s >= 10) return `${Math.round(s)} s`;
  const tenths = Math.round(s * 10) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)} s`;
}

/** The largest two units: "2 d 3 h", "3 h 12 min", "4 min 05 s", "12 s". */
export function duration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** A window's length as in "in the last hour", "in the last 15 min", "in the last 24 h". */
export function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 60 && minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} h`;
  if (minutes >= 1) return `${minutes} min`;
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

/** Latency: whole ms below a second. */
export function millis(ms: number): string {
  return ms >= 1000 ? seconds(ms) : `${Math.round(ms)} ms`;
}

/** A 0..1 share with one decimal, floored below 100 so 99.96 % never reads 100 %. */
export function share(x: number): string {
  const pct = x * 100;
  const shown = pct < 100 ? Math.floor(pct * 10) / 10 : 100;
  return `${shown.toFixed(shown === 100 ? 0 : 1)} %`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
