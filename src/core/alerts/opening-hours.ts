/**
 * Weekly opening hours in a restaurant's own time zone. Outside them a restaurant's alerts are held
 * ("closed"), not fired: a closed restaurant with no terminal connected is not an outage.
 *
 * Pure: the local weekday and time of an instant come from Intl with an explicit time zone, so the
 * answer depends only on `(hours, t)` — never on the machine's zone.
 */
export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** `["07:00", "23:00"]`; a close at or before the open runs past midnight (`["18:00", "02:00"]`). */
export type OpenRange = readonly [string, string];

export interface WeeklyHours {
  /** IANA zone, e.g. `Europe/Paris`. */
  timezone: string;
  /** A day left out, or with no range, is closed all day. */
  days: Partial<Record<Weekday, readonly OpenRange[]>>;
}

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Minutes since midnight of `"HH:MM"` (`"24:00"` = 1440), or null when malformed. */
export function minutesOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm);
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > 1440 ? null : v;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Whether `timezone` is a zone Intl knows (the alerts file is checked with it). */
export function isKnownTimezone(timezone: string): boolean {
  try {
    formatterOf(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The local weekday and minute of the day of instant `t` in `timezone`. */
export function localTimeOf(t: number, timezone: string): { day: number; minute: number } {
  const parts = formatterOf(timezone).formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = weekdays.indexOf(get('weekday').slice(0, 3).toLowerCase() as Weekday);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function isOpenAt(hours: WeeklyHours | undefined, t: number): boolean {
  if (hours === undefined) return true;
  const { day, minute } = localTimeOf(t, hours.timezone);
  const today = hours.days[weekdays[day]!] ?? [];
  const yesterday = hours.days[weekdays[(day + 6) % 7]!] ?? [];
  for (const [a, b] of today) {
    const open = minutesOf(a) ?? 0;
    const close = minutesOf(b) ?? 0;
    if (close > open ? minute >= open && minute < close : minute >= open) return true;
  }
  // Yesterday's late ranges that run past midnight.
  for (const [a, b] of yesterday) {
    const open = minutesOf(a) ?? 0;
    const close = minutesOf(b) ?? 0;
    if (close <= open && minute < close) return true;
  }
  return false;
}
