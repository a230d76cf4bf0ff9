/**
 * A terminal's lifecycle events over the view's window (`GET /api/restaurants/:rid/terminals/:tid/events`,
 * docs/api.md), paged until the window is complete. A relative window is refetched every 15 s;
 * the live feed fills the seconds in between (see use-terminal-timeline.ts).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { eventsPageAnswerSchema } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock, type WebClock } from '../../../lib/clock.ts';
import { eventsPageOf, joinPages, type EventsPage } from '../model/terminal-events.ts';
import { resolveWindow, type TerminalWindow } from '../model/terminal-window.ts';

/**
 * Read this far before the window: the close just before it says how the window starts and how
 * long the first attempt in it waited.
 */
export const lookbackMs = 15 * 60_000;
/**
 * How long after it happened an event may still be on its way to the store (the probe's 1 s flush,
 * the bus, the hub's 1 s write batch, with room to spare): a fetch answers for what happened up to
 * this long before it, and the heartbeat strip judges intervals only that far (heartbeat-strip.ts).
 */
export const storeLagMs = 5_000;
const pageSize = 5000;
/** 50,000 events: far beyond a terminal's worst week; a cap so a runaway never loops forever. */
const maxPages = 10;

export interface TerminalEvents {
  page: EventsPage;
  /** Our clock when the fetch began: the live feed adds what happened since. */
  fetchedAt: number;
  from: number;
  to: number;
}

/** Terminal (rid, tid)'s events: a terminal id names a terminal only within its restaurant. */
export async function fetchTerminalEvents(api: ApiClient, rid: string, tid: string, from: number, to: number, signal?: AbortSignal): Promise<EventsPage> {
  const base = `/api/restaurants/${encodeURIComponent(rid)}/terminals/${encodeURIComponent(tid)}/events`;
  const pages: EventsPage[] = [];
  let start = Math.floor(from);
  const end = Math.max(start + 1, Math.ceil(to));
  for (let i = 0; i < maxPages; i++) {
    const page = eventsPageOf(await api.get(`${base}?from=${start}&to=${end}&limit=${pageSize}`, eventsPageAnswerSchema, signal));
    pages.push(page);
    const last = page.events.at(-1);
    // The next page starts at the last time seen (inclusive: events sharing it are not lost; the
    // timeline drops the repeats). A page all at one millisecond cannot move on: stop.
    if (!page.more || !last || last.t <= start) break;
    start = last.t;
  }
  return joinPages(pages)!;
}

export function terminalEventsQuery(api: ApiClient, rid: string, tid: string, w: TerminalWindow, clock: WebClock) {
  const key = w.kind === 'custom' ? [w.from, w.to] : [w.kind];
  const live = resolveWindow(w, clock.now()).live;
  return queryOptions({
    queryKey: ['terminal', rid, tid, 'events', ...key],
    queryFn: async ({ signal }): Promise<TerminalEvents> => {
      const fetchedAt = clock.now();
      const { from, to } = resolveWindow(w, fetchedAt);
      const page = await fetchTerminalEvents(api, rid, tid, from - lookbackMs, Math.min(to, fetchedAt), signal);
      return { page, fetchedAt, from, to };
    },
    refetchInterval: live ? 15_000 : false,
    staleTime: live ? 0 : 60_000,
  });
}

export function useTerminalEvents(rid: string, tid: string, w: TerminalWindow) {
  const api = useApi();
  const clock = useClock();
  return useQuery(terminalEventsQuery(api, rid, tid, w, clock));
}
