/**
 * What counts as a reconnect (DESIGN.md): a connection opened by a terminal whose previous
 * connection closed ≤ 10 min earlier. The rule is one pure function; `ReconnectTracker` applies it
 * to a stream of opens and closes so that each open is counted at most once, even when the close
 * arrives after the open — which happens when a terminal comes back through another gateway and
 * that gateway's frame overtakes the one carrying the close.
 *
 * An open while the terminal still has a connection that the gateway thinks is open counts too:
 * a terminal opens a second connection only after it saw the first one die (a silent drop the
 * gateway will report as 4008 later). The terminal — and the simulator's ground truth — closed it
 * first, so by the definition it is a reconnect, and counting it keeps the two views equal.
 */

export const RECONNECT_WINDOW_MS = 10 * 60_000;

/** Is an open at `openT` a reconnect, given the terminal's last close at `lastCloseT` (if any)? */
export function isReconnect(lastCloseT: number | undefined, openT: number, previousStillOpen = false): boolean {
  if (previousStillOpen) return true;
  return lastCloseT !== undefined && openT >= lastCloseT && openT - lastCloseT <= RECONNECT_WINDOW_MS;
}

type TerminalMemory = {
  /** Connections of this terminal opened and not yet closed, as far as this tracker saw (usually 0 or 1). */
  open: string[];
  /** Latest close seen of this terminal. */
  lastCloseT: number | undefined;
  /** The latest open not (yet) counted as a reconnect, and the connection it opened. */
  pendingOpenT: number | undefined;
  pendingConn: string | undefined;
};

export class ReconnectTracker {
  private readonly terminals = new Map<string, TerminalMemory>();

  /**
   * An open of `conn` by terminal `tid` at `t`. True when it counts as a reconnect now; otherwise
   * it is remembered, and a close that arrives later but happened earlier may still make it one.
   */
  open(tid: string, t: number, conn: string): boolean {
    const m = this.terminals.get(tid);
    if (!m) {
      // A first open is never a reconnect. `[conn]`, not `[]` and a push: a push onto an empty
      // array reserves 17 slots, ~150 B for each of the ~19,000 terminals a gateway tracks.
      this.terminals.set(tid, { open: [conn], lastCloseT: undefined, pendingOpenT: t, pendingConn: conn });
      return false;
    }
    // Another connection, that is: the same one announced twice is not a second connection.
    const previousStillOpen = m.open.some((c) => c !== conn);
    if (!m.open.includes(conn)) m.open.push(conn);
    if (isReconnect(m.lastCloseT, t, previousStillOpen)) return true;
    if (m.pendingOpenT === undefined || t >= m.pendingOpenT) {
      m.pendingOpenT = t;
      m.pendingConn = conn;
    }
    return false;
  }

  /**
   * A close of `conn` by `tid` at `t`. Returns the time of a pending open that this close turns
   * into a reconnect (the open happened after it, through another connection), else null.
   */
  close(tid: string, t: number, conn: string): number | null {
    let m = this.terminals.get(tid);
    if (!m) {
      m = { open: [], lastCloseT: t, pendingOpenT: undefined, pendingConn: undefined };
      this.terminals.set(tid, m);
      return null;
    }
    // A close of a connection this tracker never saw open must not hide one that it did see.
    const i = m.open.indexOf(conn);
    if (i >= 0) m.open.splice(i, 1);
    if (m.lastCloseT === undefined || t > m.lastCloseT) m.lastCloseT = t;
    const openT = m.pendingOpenT;
    if (openT !== undefined && m.pendingConn !== conn && isReconnect(t, openT)) {
      m.pendingOpenT = undefined;
      m.pendingConn = undefined;
      return openT;
    }
    return null;
  }

  /** Seed a terminal's last close from history (e.g. the store, after a hub restart). */
  remember(tid: string, lastCloseT: number): void {
    const m = this.terminals.get(tid);
    if (!m) this.terminals.set(tid, { open: [], lastCloseT, pendingOpenT: undefined, pendingConn: undefined });
    else if (m.lastCloseT === undefined || lastCloseT > m.lastCloseT) m.lastCloseT = lastCloseT;
  }

  /**
   * Seed a connection of `tid` still open from before (the store, after a hub restart): an open of
   * another connection before it closes is a reconnect, as if this tracker had seen it open.
   */
  seedOpen(tid: string, conn: string): void {
    const m = this.terminals.get(tid);
    if (!m) this.terminals.set(tid, { open: [conn], lastCloseT: undefined, pendingOpenT: undefined, pendingConn: undefined });
    else if (!m.open.includes(conn)) m.open.push(conn);
  }

  /** Forget closed terminals whose every memory is older than the window: they can no longer matter. */
  prune(now: number): void {
    const horizon = now - RECONNECT_WINDOW_MS;
    for (const [tid, m] of this.terminals) {
      if (m.open.length === 0 && (m.lastCloseT ?? -Infinity) < horizon && (m.pendingOpenT ?? -Infinity) < horizon) this.terminals.delete(tid);
    }
  }

  get size(): number {
    return this.terminals.size;
  }
}
