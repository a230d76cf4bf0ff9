/** Small builders of rows and lifecycle events, so each test says only what matters to it. */
import type { LifecycleEvent, RestaurantMinute } from '../store.ts';

export const MINUTE = 60_000;
export const T0 = 1_700_000_040_000; // a whole minute

export function minuteRow(rid: string, minute: number, parts: Partial<Omit<RestaurantMinute, 'rid' | 'minute'>> = {}): RestaurantMinute {
  return { rid, minute, counters: parts.counters ?? {}, gauges: parts.gauges ?? {}, histograms: parts.histograms ?? {} };
}

export function ridOf(tid: string): string {
  return tid.replace(/-t\d+$/, '');
}

export function openEvent(t: number, tid: string, conn = `${tid}#${t}`): LifecycleEvent {
  return { type: 'open', gw: 'gw-1', t, rid: ridOf(tid), tid, conn, via: 'subprotocol' };
}

export function closeEvent(t: number, tid: string, code = 1006, conn = `${tid}#c`): LifecycleEvent {
  return { type: 'close', gw: 'gw-1', t, rid: ridOf(tid), tid, conn, code, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 1234 };
}

export function limitEvent(t: number, tid: string): LifecycleEvent {
  return { type: 'limit', gw: 'gw-1', t, rid: ridOf(tid), tid, conn: `${tid}#l`, kind: 'rate', detail: 'bucket empty' };
}

export function authFailEvent(t: number, claimed?: { rid: string; tid: string }): LifecycleEvent {
  return { type: 'auth_fail', gw: 'gw-1', t, reason: 'expired', ...(claimed ? { claimedRid: claimed.rid, claimedTid: claimed.tid } : {}) };
}

export function lateBeatEvent(t: number, tid: string, gapMs = 22_000): LifecycleEvent {
  return { type: 'heartbeat_late', gw: 'gw-1', t, rid: ridOf(tid), tid, conn: `${tid}#h`, gapMs, rtt: 40 };
}
