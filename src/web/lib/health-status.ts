/** How a restaurant's health status reads and ranks: worst first, and never by colour alone. */
import type { HealthStatus } from '../../protocol/live.ts';
import { healthStatuses } from '../../protocol/live.ts';

/** Unknown (no data) ranks between degraded and healthy: not known good, not known bad. */
export const statusRank: Record<HealthStatus, number> = { unhealthy: 0, degraded: 1, unknown: 2, healthy: 3 };

export const statusLabel: Record<HealthStatus, string> = {
  unhealthy: 'Unhealthy',
  degraded: 'Degraded',
  unknown: 'No data',
  healthy: 'Healthy',
};

export function isHealthStatus(value: string | null | undefined): value is HealthStatus {
  return value !== null && value !== undefined && (healthStatuses as readonly string[]).includes(value);
}
