/**
 * A restaurant's terminals as the REST API reports them (`GET /api/restaurants/:rid`, docs/api.md),
 * read defensively: a field the hub does not send reads as "no data", never as a wrong value.
 */
import type { HealthStatus } from '../../../../protocol/live.ts';
import { isHealthStatus, statusRank } from '../../../lib/health-status.ts';
import { asArray, asObject, num, str, type Json } from '../../../lib/parse.ts';

export type TerminalState = 'connected' | 'disconnected' | 'unknown';

export interface TerminalRow {
  tid: string;
  state: TerminalState;
  health: HealthStatus;
  /** When the current connection opened (connected) or the last one closed (disconnected). */
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
    const tid = t && (str(t.tid) ?? str(t.id));
    if (!t || !tid) continue;
    const state = stateOf(t);
    const health = str(t.health) ?? str(t.status);
    rows.push({
      tid,
      state,
      health: isHealthStatus(health) ? health : state === 'disconnected' ? 'unhealthy' : 'unknown',
      since: ms(t.connectedSince ?? t.openedAt ?? t.since ?? (state === 'disconnected' ? t.disconnectedAt : undefined)),
      lastHeartbeatAt: ms(t.lastHeartbeatAt ?? t.lastHeartbeat ?? t.lastSeenAt),
      rttMs: num(t.rttMs) ?? num(asObject(t.rttMs)?.p50) ?? num(t.rtt),
      lastClose: closeOf(t.lastClose),
    });
  }
  return rows.sort(worstTerminalFirst);
}

function stateOf(t: Json): TerminalState {
  if (typeof t.connected === 'boolean') return t.connected ? 'connected' : 'disconnected';
  const s = str(t.state);
  if (s === 'connected' || s === 'open') return 'connected';
  if (s === 'disconnected' || s === 'closed') return 'disconnected';
  return 'unknown';
}

function ms(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n < 1e11 ? n * 1000 : n;
  const s = str(v);
  const parsed = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function closeOf(v: unknown): string | null {
  const c = asObject(v);
  if (!c) return str(v);
  const parts = [num(c.code)?.toString(), str(c.cause)?.replace(/_/g, ' '), str(c.reason) ? `— ${str(c.reason)}` : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}

const stateRank: Record<TerminalState, number> = { disconnected: 0, unknown: 1, connected: 2 };

export function worstTerminalFirst(a: TerminalRow, b: TerminalRow): number {
  return stateRank[a.state] - stateRank[b.state] || statusRank[a.health] - statusRank[b.health] || (a.tid < b.tid ? -1 : a.tid > b.tid ? 1 : 0);
}
