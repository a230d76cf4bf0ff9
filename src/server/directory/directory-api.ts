/**
 * `GET /api/directory` (docs/api.md): the directory entries of the caller's scope, in the wire
 * shape of src/protocol/directory.ts. A manager gets the entries of their restaurants only — not
 * even the count of the others.
 */
import type { RestaurantDirectory, RestaurantEntry } from '../../core/directory/restaurant-directory.ts';
import type { DirectoryAnswer, DirectoryEntryWire } from '../../protocol/directory.ts';

export function entryWire(e: RestaurantEntry): DirectoryEntryWire {
  return {
    rid: e.rid,
    name: e.name,
    tags: [...e.tags],
    ...(e.timezone !== undefined ? { timezone: e.timezone } : {}),
    ...(e.hours ? { hours: Object.fromEntries(Object.entries(e.hours.days).map(([day, ranges]) => [day, ranges.map(([a, b]) => [a, b] as [string, string])])) } : {}),
    closed: [...e.closedDates],
  };
}

/** `restaurants`: the manager's list; null = every restaurant. */
export function answerDirectory(directory: RestaurantDirectory, restaurants: readonly string[] | null, now: number): DirectoryAnswer {
  const entries = restaurants === null ? directory.entries() : directory.entries().filter((e) => restaurants.includes(e.rid));
  return { t: now, restaurants: entries.map(entryWire) };
}
