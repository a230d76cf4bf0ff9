/**
 * The restaurant directory (issue 13, src/core/directory) as the alerts see restaurants, joined to
 * the alerts file's own entries: tags from both; closed when either says so (the directory's
 * weekly hours and closed dates, the file's hours). A restaurant in neither is always open.
 */
import type { RestaurantDirectory as Directory, RestaurantEntry } from '../directory/restaurant-directory.ts';
import { openCalendarOf, type OpenCalendar } from '../directory/open-calendar.ts';
import type { RestaurantDirectory } from './alert-rule.ts';

export function withDirectory(file: RestaurantDirectory, directory: () => Directory): RestaurantDirectory {
  // A calendar is built once per entry: entries are replaced, not changed, when the directory reloads.
  const calendars = new WeakMap<RestaurantEntry, OpenCalendar>();
  const calendarOf = (entry: RestaurantEntry): OpenCalendar => {
    let c = calendars.get(entry);
    if (!c) calendars.set(entry, (c = openCalendarOf(entry)));
    return c;
  };
  return {
    tagsOf(rid) {
      const own = file.tagsOf(rid);
      const entry = directory().entry(rid);
      return entry && entry.tags.length > 0 ? [...own, ...entry.tags] : own;
    },
    isOpen(rid, t) {
      if (!file.isOpen(rid, t)) return false;
      const entry = directory().entry(rid);
      return entry === undefined || calendarOf(entry).isOpen(t);
    },
  };
}
