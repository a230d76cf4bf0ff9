/**
 * A restaurant's terminals as the REST API reports them (`GET /api/restaurants/:rid`, docs/api.md;
 * decoded with `restaurantAnswerSchema`), as the table's rows: the time that matters for its state
 * and its last close in words, the worst terminals first.
 */
import type { RestaurantAnswer, TerminalWire } from '../../../../protocol/api.ts';
import type { HealthStatus } from '../../../../protocol/live.ts';
import { statusRank } from '../../../lib/health-status.ts';

export type TerminalState = TerminalWire['state'];

export interface TerminalRow {
  /** Its restaurant: a terminal is (rid, tid), and its link names both. */
  rid: string;
  tid: string;
  state: TerminalState;
  health: HealthStatus;
  /** When the current connection opened (connected) or the last one closed (disconnected), ms. */
  since: number | null;
  lastHeartbeatAt: number | null;
  rttMs: number | null;
  /** Why the last connection closed, in the hub's words (terminal-provided reason included). */
  lastClose: string | null;
}

export function terminalRowsOf(answer: RestaurantAnswer): TerminalRow[] {
  return answer.terminals
    .map((t) => ({
      rid: t.rid,
      tid: t.tid,
      state: t.state,
      health: t.health,
      since: t.state === 'disconnected' ? t.disconnectedAt : t.connectedSince,
      lastHeartbeatAt: t.lastHeartbeatAt,
      rttMs: t.rttMs,
      lastClose: closeOf(t.lastClose),
    }))
    .sort(worstTerminalFirst);
}

/** `{t, code, cause, reason}` in words; the reason is the terminal's text, shown as text. */
function closeOf(c: TerminalWire['lastClose']): string | null {
  if (!c) return null;
  return [String(c.code), c.cause.replace(/_/g, ' '), c.reason ? `— ${c.reason}` : null].filter(Boolean).join(' ');
}

const stateRank: Record<TerminalState, number> = { disconnected: 0, connected: 1 };

export function worstTerminalFirst(a: TerminalRow, b: TerminalRow): number {
  return stateRank[a.state] - stateRank[b.state] || statusRank[a.health] - statusRank[b.health] || (a.tid < b.tid ? -1 : a.tid > b.tid ? 1 : 0);
}
