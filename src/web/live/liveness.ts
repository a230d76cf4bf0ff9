/**
 * Whether what the dashboard shows is live, computed from the clock when read (like the socket's
 * health): a support agent must never take stale figures for live ones. Data is live when our
 * socket is open, no gap is pending, and the last tick arrived within two tick intervals.
 */
import type { LiveState } from './live-store.ts';

export type Liveness = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface LivenessView {
  readonly status: Liveness;
  /** ms since data was last applied; null before any data. */
  readonly ageMs: number | null;
}

type Inputs = Pick<LiveState, 'connection' | 'appliedAt' | 'resyncFrom' | 'tickMs'>;

export function livenessOf(s: Inputs, now: number): LivenessView {
  const ageMs = s.appliedAt === null ? null : Math.max(0, now - s.appliedAt);
  if (s.connection.failure === 'token_rejected') return { status: 'refused', ageMs };
  if (ageMs === null) return { status: 'connecting', ageMs };
  const fresh = ageMs <= staleAfterMs(s.tickMs);
  const live = s.connection.socket === 'open' && s.resyncFrom === null && fresh;
  return { status: live ? 'live' : 'reconnecting', ageMs };
}

/** Two ticks: one late tick is jitter, two missing ones are a hub or a network in trouble. */
export function staleAfterMs(tickMs: number): number {
  return Math.max(2000, 2 * tickMs);
}

/** The banner's words; null when the data is live. */
export function stalenessMessage(view: LivenessView): string | null {
  switch (view.status) {
    case 'live':
      return null;
    case 'connecting':
      return 'Connecting to the hub — no data yet';
    case 'refused':
      return 'The hub refused this sign-in link — figures are not updating';
    case 'reconnecting':
      return `Reconnecting — data ${Math.floor((view.ageMs ?? 0) / 1000)} s old`;
  }
}
