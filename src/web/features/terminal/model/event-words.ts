/**
 * One lifecycle event as a row of the terminal view's event list: what happened, in words. The
 * terminal's own strings (a close reason, a limit's detail) stay plain text; React renders them
 * as text.
 */
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { formatDuration, formatMs } from '../../../lib/format.ts';
import { disconnectWords } from './timeline-words.ts';

export function eventWords(e: LifecycleEvent): string {
  switch (e.type) {
    case 'open':
      return 'connected';
    case 'close':
      return `closed after ${formatDuration(e.durationMs)}: ${disconnectWords({ source: 'close', code: e.code, cause: e.cause, reason: e.reason, byServer: e.byServer, limit: null })}`;
    case 'auth_fail':
      return `token refused (${e.reason.replaceAll('_', ' ')})${e.claimedTid !== undefined ? ` — claimed ${e.claimedRid ?? '?'} / ${e.claimedTid}, unverified` : ''}`;
    case 'limit':
      return `limit hit: ${e.kind}${e.detail ? `, ${e.detail}` : ''}`;
    case 'heartbeat_late':
      return `heartbeat late: ${formatMs(e.gapMs)} since the last${e.rtt !== undefined ? `, RTT ${formatMs(e.rtt)}` : ''}`;
    case 'rtt_implausible':
      return `${e.count} ping${e.count === 1 ? '' : 's'} with an implausible RTT (${e.rtt} ms reported)`;
  }
}

/** The connection an event names, if any. */
export function eventConn(e: LifecycleEvent): string | null {
  return e.type === 'auth_fail' ? null : e.conn;
}
