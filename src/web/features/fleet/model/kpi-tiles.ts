/**
 * The fleet's KPI tiles, from the totals of the viewer's scope (a manager's totals cover only
 * their restaurants: the hub computes them so). Each tile says its figure in words too, for
 * screen readers and for tests.
 */
import type { FleetTotalsWire } from '../../../../protocol/live.ts';
import { formatCount, formatMs, formatRate, formatShare } from '../../../lib/format.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

export interface KpiTile {
  id: string;
  label: string;
  value: string;
  detail: string;
  tone: Tone;
}

export function kpiTiles(t: FleetTotalsWire): KpiTile[] {
  const share = t.expected > 0 ? t.connections / t.expected : null;
  const healthyShare = t.restaurants > 0 ? t.byStatus.healthy / t.restaurants : null;
  return [
    {
      id: 'connected',
      label: 'Connected terminals',
      value: `${formatCount(t.connections)} / ${formatCount(t.expected)}`,
      detail: share === null ? 'no terminals expected' : `${formatShare(share)} of expected`,
      tone: toneOfShare(share, 0.98, 0.9),
    },
    {
      id: 'healthy',
      label: 'Restaurants healthy',
      value: `${formatCount(t.byStatus.healthy)} / ${formatCount(t.restaurants)}`,
      detail: `${t.byStatus.offline} offline · ${t.byStatus.unhealthy} unhealthy · ${t.byStatus.degraded} degraded`,
      tone: t.byStatus.offline + t.byStatus.unhealthy > 0 ? 'bad' : t.byStatus.degraded > 0 ? 'warn' : toneOfShare(healthyShare, 1, 1),
    },
    {
      id: 'reconnects',
      label: 'Reconnects / min',
      value: formatRate(t.reconnectsPerMin),
      detail: 'terminals back within 10 min of a close',
      tone: t.reconnectsPerMin > Math.max(1, t.expected * 0.05) ? 'bad' : t.reconnectsPerMin > 0 ? 'warn' : 'ok',
    },
    {
      id: 'heartbeat',
      label: 'Heartbeat success',
      value: formatShare(t.heartbeatSuccess),
      detail: 'on-time / expected heartbeats',
      tone: toneOfShare(t.heartbeatSuccess, 0.99, 0.95),
    },
    {
      id: 'rtt',
      label: 'Heartbeat RTT p50 / p95 / p99',
      value: t.rttMs ? `${formatMs(t.rttMs.p50)} / ${formatMs(t.rttMs.p95)} / ${formatMs(t.rttMs.p99)}` : '—',
      detail: 'terminal-reported round trip',
      tone: !t.rttMs ? 'neutral' : t.rttMs.p95 > 1000 ? 'bad' : t.rttMs.p95 > 300 ? 'warn' : 'ok',
    },
    {
      id: 'errors',
      label: 'Errors / min',
      value: formatRate(t.errorsPerMin),
      detail: topErrors(t.errors),
      tone: t.errorsPerMin > 5 ? 'bad' : t.errorsPerMin > 0 ? 'warn' : 'ok',
    },
  ];
}

function toneOfShare(share: number | null, good: number, fair: number): Tone {
  if (share === null) return 'neutral';
  return share >= good ? 'ok' : share >= fair ? 'warn' : 'bad';
}

/** The two most frequent error types, in words; "none" when there were none. */
export function topErrors(errors: FleetTotalsWire['errors']): string {
  const top = Object.entries(errors)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2);
  return top.length === 0 ? 'no errors' : top.map(([type, n]) => `${type.replace(/_/g, ' ')} ${n}`).join(' · ');
}
