/**
 * ISO weeks (`2026-W48`: Monday to Monday, UTC), for `pulse report week --week` and the
 * dashboard's report download. Week 1 is the week holding 4 January, so a year has 52 or 53 weeks.
 */
const DAY = 86_400_000;

/** Monday 00:00 UTC of ISO week 1 of `year`. */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - weekday * DAY;
}

/** `2026-W48` → its [from, to) in ms, or null when it is not a week of that year. */
export function isoWeekRange(text: string): { from: number; to: number } | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  const from = week1Monday(year) + (week - 1) * 7 * DAY;
  if (week < 1 || from >= week1Monday(year + 1)) return null;
  return { from, to: from + 7 * DAY };
}

/** The ISO week holding instant `t`, e.g. `2026-W49`. */
export function isoWeekOf(t: number): string {
  const day = Math.floor(t / DAY) * DAY;
  const thursday = day + (3 - ((new Date(day).getUTCDay() + 6) % 7)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - week1Monday(year)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The last whole ISO week before instant `t`. */
export function lastWholeWeek(t: number): string {
  return isoWeekOf(t - 7 * DAY);
}
