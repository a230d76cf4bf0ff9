/** How a restaurant's health status reads and ranks: worst first, and never by colour alone. */
import type { HealthStatus } from '../../protocol/live.ts';
import { healthStatuses } from '../../protocol/live.ts';

/**
 * Offline (terminals expected, none connected) is the worst; unknown (no data) ranks between
 * degraded and healthy: not known good, not known bad.
 */
export const statusRank: Record<HealthStatus, number> = { offline: 0, unhealthy: 1, degraded: 2, unknown: 3, healthy: 4 };

export const statusLabel: Record<HealthStatus, string> = {
  offline: 'Offline',
  unhealthy: 'Unhealthy',
  degraded: 'Degraded',
  unknown: 'No data',
  healthy: 'Healthy',
};

export function isHealthStatus(value: string | null | undefined): value is HealthStatus {
  return value !== null && value !== undefined && (healthStatuses as readonly string[]).includes(value);
}
