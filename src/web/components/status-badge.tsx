import type { HealthStatus } from '../../protocol/live.ts';
import { statusLabel } from '../lib/health-status.ts';

const tone: Record<HealthStatus, string> = {
  offline: 'bg-bad/25 text-bad border-bad/60',
  unhealthy: 'bg-bad/15 text-bad border-bad/40',
  degraded: 'bg-warn/15 text-warn border-warn/40',
  unknown: 'bg-unknown/15 text-unknown border-unknown/40',
  healthy: 'bg-ok/15 text-ok border-ok/40',
};

const mark: Record<HealthStatus, string> = { offline: '⊘', unhealthy: '✕', degraded: '!', unknown: '?', healthy: '✓' };

/** A status in words and colour (never colour alone). */
export function StatusBadge({ status }: { status: HealthStatus }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded border px-1.5 py-0.5 text-xs font-medium ${tone[status]}`} data-status={status}>
      <span aria-hidden="true">{mark[status]}</span>
      {statusLabel[status]}
    </span>
  );
}
