/**
 * One click handler for a list of plain links, instead of a router `<Link>` in every row. A Link
 * runs half a dozen router hooks each time its row renders — in the fleet list, ~25 rows on most
 * ticks, ~0.6 ms a tick in the CPU profile (`npm run bench:ui -- --cpu-profile`) — for a click
 * that happens once in a while. The list renders `<a href>` and hands the router the clicks a
 * Link would have taken: the plain ones; a modified or middle click keeps the browser's meaning
 * (new tab, new window, download).
 */
import type { MouseEvent } from 'react';

interface ClickLike {
  button: number;
  metaKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  defaultPrevented: boolean;
}

/** A click the app should route itself, as react-router's Link decides it. */
export function isPlainClick(e: ClickLike): boolean {
  return !e.defaultPrevented && e.button === 0 && !(e.metaKey || e.altKey || e.ctrlKey || e.shiftKey);
}

/** The in-app path of the link clicked inside a list, or null when the click is not the app's. */
export function routedPath(e: ClickLike & { target: EventTarget | null }, origin: string): string | null {
  if (!isPlainClick(e) || !(e.target instanceof Element)) return null;
  const a = e.target.closest('a[href]');
  if (!(a instanceof HTMLAnchorElement) || (a.target && a.target !== '_self') || a.hasAttribute('download')) return null;
  const url = new URL(a.href, origin);
  return url.origin === origin ? url.pathname + url.search + url.hash : null;
}

/** The list's onClick: routes a plain click on one of its links, leaves every other click alone. */
export function routeLinkClicks(navigate: (path: string) => void): (e: MouseEvent) => void {
  return (e) => {
    const path = routedPath(e, window.location.origin);
    if (path === null) return;
    e.preventDefault();
    navigate(path);
  };
}
