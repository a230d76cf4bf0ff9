/**
 * Which terminal a viewer's `watch_terminal` names. A terminal is (rid, tid): tills are named per
 * restaurant (issue 18, item 3), so a watch without `rid` is resolved in the viewer's scope the way
 * the REST API resolves its old bare-id URL — and refused TERMINAL_AMBIGUOUS, naming only the
 * restaurants the viewer may see, when several have the id.
 */
import { terminalKey } from '../../../core/terminal-key.ts';
import { PulseError, TerminalAmbiguousError } from '../../../protocol/errors.ts';
import type { LiveEvent } from '../../../protocol/live.ts';
import type { LiveSource } from './live-source.ts';
import type { Scope } from './viewer-scope.ts';

/** A watched terminal; `rid` undefined: an engineer's watch of an id the hub did not know yet, bound to the restaurant of its first event. */
export interface WatchedTerminal {
  rid: string | undefined;
  tid: string;
}

/** The key a viewer's watches are kept under. */
export const watchKey = (w: WatchedTerminal): string => terminalKey(w.rid ?? '', w.tid);

/** The terminal a watch names, or the refusal to send. */
export function watchedTerminal(scope: Scope, source: Pick<LiveSource, 'terminalRestaurants'>, tid: string, rid: string | undefined): WatchedTerminal | PulseError {
  // Unknown terminals are refused to a manager too: "unknown" and "someone else's" must look
  // the same, or the answer tells which terminal ids exist.
  if (rid !== undefined) {
    if (!scope.includes(rid)) return new PulseError('NOT_IN_SCOPE');
    return { rid, tid };
  }
  const rids = source.terminalRestaurants(tid).filter((r) => scope.includes(r));
  if (rids.length > 1) return new TerminalAmbiguousError(tid, rids);
  if (rids.length === 1) return { rid: rids[0], tid };
  if (!scope.all) return new PulseError('NOT_IN_SCOPE');
  return { rid: undefined, tid };
}

/**
 * An engineer's watch of an id not known yet takes the restaurant of the first verified event
 * that names it (an open, close or limit: never a refused token's claims), so when two
 * restaurants' till-1 appear later their events are not mixed into one timeline. Rekeys
 * `watches` in place; returns whether any watch was bound.
 */
export function bindUnresolvedWatches(watches: Map<string, WatchedTerminal>, events: readonly LiveEvent[]): boolean {
  let bound = false;
  for (const [key, w] of watches) {
    if (w.rid !== undefined) continue;
    const first = events.find((e) => e.type !== 'auth_fail' && e.tid === w.tid);
    if (first === undefined || first.type === 'auth_fail') continue;
    watches.delete(key);
    const resolved = { rid: first.rid, tid: w.tid };
    watches.set(watchKey(resolved), resolved);
    bound = true;
  }
  return bound;
}
