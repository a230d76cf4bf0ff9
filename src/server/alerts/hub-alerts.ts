/**
 * The alerts' sources in the hub: what the fleet state and the write queue already know, read
 * when a tick evaluates the rules. Kept here so the hub adds one call and one line per hook.
 */
import type { Clock } from '../../core/clock.ts';
import type { HubFleet } from '../hub/hub-fleet.ts';
import type { Logger } from '../log/logger.ts';
import type { RestaurantDirectory as Directory } from '../../core/directory/restaurant-directory.ts';
import { startAlerts, type AlertsOptions, type AlertsService } from './alerts-service.ts';

export type { AlertsOptions, AlertsService } from './alerts-service.ts';

export interface HubAlertsDeps {
  fleet: Pick<HubFleet, 'state'>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  hubId: string;
  hubUrl: () => string;
  /** Store writes failing in a row (the write queue's `consecutiveFailures > 0`). */
  storeFailing: () => boolean;
  /** The restaurant directory in force, if the hub has one. */
  directory?: () => Directory;
}

export function startHubAlerts(options: AlertsOptions, d: HubAlertsDeps): Promise<AlertsService> {
  const { state } = d.fleet;
  return startAlerts({
    ...options,
    clock: d.clock,
    logger: d.logger,
    hubId: d.hubId,
    hubUrl: d.hubUrl,
    ...(d.directory ? { directory: d.directory } : {}),
    sources: {
      // A gateway that said goodbye is stopped, not lost: its "gateway lost" alert does not fire, or resolves.
      gateways: () => state.gatewayStatus().map((g) => ({ gw: g.gw, alive: g.state !== 'lost' })),
      // A one-minute window: its count is its rate.
      unscopedAuthFailuresPerMin: (now) => state.unscoped.view(now).counters['errors.auth_failed'] ?? 0,
      storeFailing: d.storeFailing,
    },
  });
}
