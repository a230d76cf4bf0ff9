/** A restaurant's live figures as tiles (from the stream: they move every tick). */
import type { RestaurantFiguresWire } from '../../../../protocol/live.ts';
import type { KpiTileProps } from '../../../components/kpi-tile.tsx';
import { formatMs, formatRate, formatShare } from '../../../lib/format.ts';

export function restaurantTiles(r: RestaurantFiguresWire): KpiTileProps[] {
  const share = r.expected > 0 ? r.connections / r.expected : null;
  return [
    {
      id: 'connected',
      label: 'Connected terminals',
      value: `${r.connections} / ${r.expected}`,
      detail: share === null ? 'no terminals expected' : `${formatShare(share)} of expected`,
      tone: share === null ? 'neutral' : share >= 1 ? 'ok' : r.connections === 0 ? 'bad' : 'warn',
    },
    { id: 'reconnects', label: 'Reconnects / min', value: formatRate(r.reconnectsPerMin), detail: 'back within 10 min', tone: r.reconnectsPerMin > 0 ? 'warn' : 'ok' },
    {
      id: 'heartbeat',
      label: 'Heartbeat success',
      value: formatShare(r.heartbeatSuccess),
      detail: 'on-time / expected',
      tone: r.heartbeatSuccess === null ? 'neutral' : r.heartbeatSuccess >= 0.99 ? 'ok' : r.heartbeatSuccess >= 0.95 ? 'warn' : 'bad',
    },
    {
      id: 'rtt',
      label: 'RTT p50 / p95 / p99',
      value: r.rttMs ? `${formatMs(r.rttMs.p50)} / ${formatMs(r.rttMs.p95)} / ${formatMs(r.rttMs.p99)}` : '—',
      detail: 'terminal-reported',
      tone: !r.rttMs ? 'neutral' : r.rttMs.p95 > 1000 ? 'bad' : r.rttMs.p95 > 300 ? 'warn' : 'ok',
    },
    { id: 'errors', label: 'Errors / min', value: formatRate(r.errorsPerMin), detail: 'closes and refusals by type', tone: r.errorsPerMin > 0 ? 'bad' : 'ok' },
    { id: 'stability', label: 'Stability', value: formatShare(r.stability), detail: 'expected time connected and healthy', tone: r.stability === null ? 'neutral' : r.stability >= 0.99 ? 'ok' : 'warn' },
  ];
}
