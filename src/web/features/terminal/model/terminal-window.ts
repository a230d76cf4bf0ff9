/**
 * The terminal view's window lives in the URL (`/terminals/:tid?window=15m|1h|24h`, or
 * `?from=<ISO>&to=<ISO>` for a custom one), so a support agent can send a colleague exactly the
 * stretch they looked at. Anything unreadable falls back to the last hour, never to a guess.
 */

export const windowSpans = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000 } as const;
export type WindowName = keyof typeof windowSpans;
export const windowNames = Object.keys(windowSpans) as WindowName[];

/** Lifecycle events are kept 7 days: a longer custom window would only show emptiness. */
export const maxCustomMs = 7 * 86_400_000;

export type TerminalWindow = { kind: WindowName } | { kind: 'custom'; from: number; to: number };

export const defaultWindow: TerminalWindow = { kind: '1h' };

function isWindowName(v: string | null): v is WindowName {
  return v !== null && Object.hasOwn(windowSpans, v);
}

/** A time in the URL: ms since epoch, or anything `Date.parse` reads (ISO with a zone is written). */
export function parseTime(raw: string | null): number | null {
  if (raw === null || raw.trim() === '') return null;
  const t = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}

export function readWindow(params: URLSearchParams): TerminalWindow {
  const from = parseTime(params.get('from'));
  const to = parseTime(params.get('to'));
  if (from !== null && to !== null && from < to && to - from <= maxCustomMs) return { kind: 'custom', from, to };
  const name = params.get('window');
  return isWindowName(name) ? { kind: name } : defaultWindow;
}

/** The same params with the window replaced; the default (1h) stays out of the URL. */
export function withWindow(params: URLSearchParams, w: TerminalWindow): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('window');
  next.delete('from');
  next.delete('to');
  if (w.kind === 'custom') {
    next.set('from', isoMinute(w.from));
    next.set('to', isoMinute(w.to));
  } else if (w.kind !== defaultWindow.kind) {
    next.set('window', w.kind);
  }
  return next;
}

/** `2026-11-26T19:40:00Z`: readable in a link and the same in every time zone. */
function isoMinute(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

/** Where the window stands at `now`; a relative window ends now and follows it (live). */
export function resolveWindow(w: TerminalWindow, now: number): { from: number; to: number; live: boolean } {
  if (w.kind === 'custom') return { from: w.from, to: w.to, live: w.to >= now };
  return { from: now - windowSpans[w.kind], to: now, live: true };
}

/** Value for an `<input type="datetime-local">`: local wall time to the minute. */
export function toLocalInput(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What `<input type="datetime-local">` holds, read as local time; null when empty or invalid. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : null;
}
