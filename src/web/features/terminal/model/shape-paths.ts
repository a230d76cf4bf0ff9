/**
 * Merged shapes (bar-shapes.ts) drawn as one SVG path per colour, not one element each: a day of a
 * flapping terminal is about a thousand shapes per drawing, and as elements (with their hover
 * titles) they were thousands of nodes the browser had to lay out on every layout of the page.
 * What a shape holds is shown for the one under the pointer instead (`shapeAt`).
 */

/** The drawings' width in SVG units: at most about one merged shape per unit. */
export const drawingWidth = 1000;

interface Span {
  x: number;
  width: number;
}

/** Thinner shapes are drawn this wide, as the elements were, so a lone sliver stays visible. */
const minWidth = 0.5;

/** Rectangles [x, x + width) × [y, y + height) as one path's data; `inset` trims each one's right edge (a gap between cells). */
export function rectsPath(shapes: readonly Span[], y: number, height: number, inset = 0): string {
  let d = '';
  for (const s of shapes) {
    const w = Math.max(minWidth, s.width - inset);
    d += `M${round(s.x)} ${y}h${round(w)}v${height}h${round(-w)}z`;
  }
  return d;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** The shapes grouped by a key (a state, a status), in the order the keys are given. */
export function groupBy<S, K extends string>(shapes: readonly S[], keyOf: (s: S) => K, keys: readonly K[]): [K, S[]][] {
  const groups = new Map<K, S[]>(keys.map((k) => [k, []]));
  for (const s of shapes) groups.get(keyOf(s))?.push(s);
  return [...groups].filter(([, list]) => list.length > 0);
}

/**
 * The shape under drawing unit `x` (shapes in x order, as bar-shapes.ts makes them), or the
 * nearest one within `slack` units: a tick is thin, and a pointer is not that precise.
 */
export function shapeAt<S extends Span>(shapes: readonly S[], x: number, slack = 0): S | null {
  let lo = 0;
  let hi = shapes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = shapes[mid]!;
    if (x < s.x) hi = mid - 1;
    else if (x >= s.x + Math.max(minWidth, s.width)) lo = mid + 1;
    else return s;
  }
  // Between shapes: the nearer neighbour, if close enough.
  const before = shapes[hi];
  const after = shapes[lo];
  const gapBefore = before ? x - (before.x + Math.max(minWidth, before.width)) : Infinity;
  const gapAfter = after ? after.x - x : Infinity;
  const best = gapBefore <= gapAfter ? before : after;
  return best && Math.min(gapBefore, gapAfter) <= slack ? best : null;
}
