/**
 * A lifecycle event in words. Everything here is plain text for React to render as text: close
 * reasons and details come from terminals and must never become markup.
 */
import type { LiveEvent, LiveEventType } from '../../protocol/live.ts';

export const eventTypeLabel: Record<LiveEventType, string> = {
  open: 'Connected',
  close: 'Disconnected',
  auth_fail: 'Token refused',
  limit: 'Limit hit',
};

export const eventTypes = Object.keys(eventTypeLabel) as LiveEventType[];

export function isEventType(value: string | null | undefined): value is LiveEventType {
  return value !== null && value !== undefined && value in eventTypeLabel;
}

/** The detail after the label: close code and cause, refusal reason, limit kind. */
export function eventDetail(e: LiveEvent): string {
  switch (e.type) {
    case 'open':
      return '';
    case 'close': {
      const who = e.byServer ? 'by gateway' : 'by terminal';
      const reason = e.reason ? ` — ${e.reason}` : '';
      return `${e.code} ${e.cause.replace(/_/g, ' ')} (${who})${reason}`;
    }
    case 'auth_fail': {
      // A refused token is in no restaurant: the ids beside it are what it claimed, which no
      // signature vouched for (docs/architecture.md). Without claims there is nothing to qualify.
      const reason = e.reason.replace(/_/g, ' ');
      return e.rid !== undefined || e.tid !== undefined ? `${reason} (unverified claims)` : reason;
    }
    case 'limit':
      return e.detail ? `${e.kind}: ${e.detail}` : e.kind;
  }
}

/** Whether the event is bad news (for the row's tone; the label says it in words too). */
export function isTrouble(e: LiveEvent): boolean {
  if (e.type === 'open') return false;
  if (e.type === 'close') return e.cause !== 'client_close' && e.cause !== 'server_close';
  return true;
}
