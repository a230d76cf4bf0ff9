/**
 * A long table drawn a screenful at a time (@tanstack/react-virtual): only the rows in and near the
 * scrolled view are in the document, between two spacer rows that keep the scroll height (and the
 * table's own semantics: rows stay `<tr>`s). A day of a flapping terminal is 5,000 events and 2,500
 * disconnects; rendering each as a row was most of the page's first paint. Rows are one line of a
 * fixed height (long text truncated, in full on hover): measuring each row as it appears forces a
 * layout of the whole page per row. Before the scroller is measured (and when rendered to static
 * markup) the first screenful is drawn.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';

/** The scroller's height (Tailwind's max-h-[28rem]), so the first render draws what will show. */
export const rowWindowPx = 448;

/** A row: `py-1` around a 20 px line of `text-sm`, and its 1 px top border. */
export const rowPx = 29;

export function useRowWindow(count: number) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowPx,
    overscan: 8,
    initialRect: { width: 0, height: rowWindowPx },
  });
  const rows = virtualizer.getVirtualItems();
  const top = rows[0]?.start ?? 0;
  const bottom = Math.max(0, virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0));
  return { scrollRef, rows, top, bottom };
}
