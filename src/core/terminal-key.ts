/**
 * A terminal is `(rid, tid)`: real POS fleets name their tills per restaurant (`till-1` in every
 * one), so a bare terminal id names a terminal only within its restaurant (issue 18, item 3).
 * Every map of terminals that spans restaurants is keyed by this one helper, never by an ad-hoc
 * join, so no two places can disagree on what "the same terminal" is.
 */

/** Who a terminal is. */
export interface TerminalRef {
  rid: string;
  tid: string;
}

// Ids are letters, digits and . _ : - (src/protocol/ingest.ts): never NUL, so no two pairs share a key.
const SEP = '\u0000';

/** The key of terminal `tid` of restaurant `rid`, for maps and sets. */
export function terminalKey(rid: string, tid: string): string {
  return rid + SEP + tid;
}

/** The pair a `terminalKey` was made of. */
export function terminalOfKey(key: string): TerminalRef {
  const i = key.indexOf(SEP);
  return i < 0 ? { rid: '', tid: key } : { rid: key.slice(0, i), tid: key.slice(i + 1) };
}
