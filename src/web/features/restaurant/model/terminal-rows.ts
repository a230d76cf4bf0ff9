/**
 * A restaurant's terminals as the REST API reports them (`GET /api/restaurants/:rid`, docs/api.md),
 * read defensively: a missing or malformed field reads as "no data", never as a wrong value.
 */
import type { HealthStatus } from '../../../../protocol/live.ts';
import { isHealthStatus, statusRank } from '../../../lib/health-status.ts';
import { asArray, asObject, num, str, type Json } from '../../../lib/parse.ts';

export type TerminalState = 'connected' | 'disconnected' | 'unknown';

export interface TerminalRow {
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

export function parseTerminals(raw: unknown): TerminalRow[] {
  const o = asObject(raw);
  const list = o ? asArray(o.terminals) : asArray(raw);
  const rows: TerminalRow[] = [];
  for (const item of list) {
    const t = asObject(item);
    const tid = t && str(t.tid);
    if (!t || !tid) continue;
    const state = stateOf(t);
    const health = str(t.health);
    rows.push({
      tid,
      state,
      health: isHealthStatus(health) ? health : state === 'disconnected' ? 'unhealthy' : 'unknown',
      since: state === 'disconnected' ? num(t.disconnectedAt) : num(t.connectedSince),
      lastHeartbeatAt: num(t.lastHeartbeatAt),
      rttMs: num(t.rttMs),
      lastClose: closeOf(t.lastClose),
    });
  }
  return rows.sort(worstTerminalFirst);
}

function stateOf(t: Json): TerminalState {
  const s = str(t.state);
  return s === 'connected' || s === 'disconnected' ? s : 'unknown';
}

/** `{t, code, cause, reason}` in words; the reason is the terminal's text, shown as text. */
function closeOf(v: unknown): string | null {
  const c = asObject(v);
  if (!c) return null;
  const parts = [num(c.code)?.toString(), str(c.cause)?.replace(/_/g, ' '), str(c.reason) ? `— ${str(c.reason)}` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}

const stateRank: Record<TerminalState, number> = { disconnected: 0, unknown: 1, connected: 2 };

export function worstTerminalFirst(a: TerminalRow, b: TerminalRow): number {
  return stateRank[a.state] - stateRank[b.state] || statusRank[a.health] - statusRank[b.health] || (a.tid < b.tid ? -1 : a.tid > b.tid ? 1 : 0);
}
