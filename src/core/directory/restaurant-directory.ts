/**
 * The restaurant directory (docs/stability.md): what a restaurant id stands for — its display
 * name, time zone, weekly opening hours with closed days, and tags such as `region:north` or
 * `brand:burgers`. Read from `--restaurants-file` (src/server/directory); a restaurant without an
 * entry behaves as before the directory existed: named by its id, open all day, untagged.
 *
 * Opening hours have the alerts file's shape (src/core/alerts/opening-hours.ts), so one file can be
 * pasted into the other.
 */
import type { WeeklyHours } from '../alerts/opening-hours.ts';

export interface RestaurantEntry {
  rid: string;
  /** Display name; data, never markup. */
  name: string;
  /** IANA zone; the zone of `hours` when both are given. Undefined = UTC for day boundaries. */
  timezone?: string;
  /** Undefined = open all day, every day (stability then counts the whole day). */
  hours?: WeeklyHours;
  /** Local dates (`YYYY-MM-DD`) closed all day: the ranges that start on them do not open. */
  closedDates: readonly string[];
  tags: readonly string[];
}

export interface RestaurantDirectory {
  /** The entry of `rid`, or undefined when the file has none. */
  entry(rid: string): RestaurantEntry | undefined;
  /** Every entry, ordered by rid. */
  entries(): readonly RestaurantEntry[];
}

export function createDirectory(entries: readonly RestaurantEntry[]): RestaurantDirectory {
  const byRid = new Map(entries.map((e) => [e.rid, e] as const));
  const sorted = [...byRid.values()].sort((a, b) => (a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0));
  return { entry: (rid) => byRid.get(rid), entries: () => sorted };
}

export const emptyDirectory: RestaurantDirectory = createDirectory([]);

/** The entry, or what a restaurant without one is: its id as its name, open all day, untagged. */
export function entryOrDefault(directory: RestaurantDirectory, rid: string): RestaurantEntry {
  return directory.entry(rid) ?? { rid, name: rid, closedDates: [], tags: [] };
}

/** Whether `rid` carries `tag` (exact match; a restaurant without an entry carries none). */
export function hasTag(directory: RestaurantDirectory, rid: string, tag: string): boolean {
  return directory.entry(rid)?.tags.includes(tag) ?? false;
}
