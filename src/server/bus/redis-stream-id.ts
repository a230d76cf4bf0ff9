/**
 * Redis stream entry ids (`<ms>-<seq>`): where a reader starts, and how old an entry is. The ms
 * part is the Redis server's clock when the entry was added, which is what read lag is measured
 * against (close enough on one network; the gateway's own `t` is in the frame for exact ages).
 */

/** Where a reader starts: `$` = only what is added from now on, or an entry id to resume after. */
export type StreamPosition = '$' | string;

const idPattern = /^\d{1,16}(-\d{1,20})?$/;

/** True for `$` and for a complete or ms-only entry id (`1700000000000-0`, `1700000000000`, `0`). */
export function isStreamPosition(value: string): value is StreamPosition {
  return value === '$' || idPattern.test(value);
}

/** The ms part of an entry id, or null when it is not one. */
export function streamIdMs(id: string): number | null {
  if (!idPattern.test(id)) return null;
  return Number(id.split('-')[0]);
}

/** Orders two entry ids (`5` equals `5-0`); throws on anything that is not an id. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

function parts(id: string): [bigint, bigint] {
  if (!idPattern.test(id)) throw new Error(`not a stream id: ${id.slice(0, 40)}`);
  const [ms, seq] = id.split('-');
  return [BigInt(ms as string), BigInt(seq ?? '0')];
}
