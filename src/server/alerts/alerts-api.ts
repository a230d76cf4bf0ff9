/**
 * The alerts' REST calls beyond `GET /api/alerts` (docs/api.md): silences (engineers make and
 * lift them; everyone lists those of their scope) and an episode's webhook delivery log. The
 * routes live in src/server/hub/api/api-routes.ts; the contract in src/protocol/alerts-api.ts.
 */
import type { DeliveriesAnswer, SilenceAnswer, SilencesAnswer } from '../../protocol/alerts-api.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { AlertsService } from './alerts-service.ts';

/** The caller as the API verified it: `restaurants` null sees the whole fleet. */
export type AlertsCaller = { sub: string; role: string; restaurants: readonly string[] | null };

export type AlertsApiSource = Pick<AlertsService, 'silences' | 'deliveries'>;

const noAlerts = (): never => {
  throw new PulseError('NOT_FOUND', 'this hub runs no alerts');
};

/** Silencing is a decision for the fleet's engineers: support and managers may look, not mute. */
function requireEngineer(caller: AlertsCaller): void {
  if (caller.role !== 'engineer') throw new PulseError('FORBIDDEN', 'only an engineer may silence alerts');
}

export function listSilences(alerts: AlertsApiSource | undefined, caller: AlertsCaller, now: number): SilencesAnswer {
  return { t: now, silences: alerts ? alerts.silences.list(now, caller.restaurants) : [] };
}

export async function createSilence(alerts: AlertsApiSource | undefined, caller: AlertsCaller, body: unknown, now: number): Promise<SilenceAnswer> {
  requireEngineer(caller);
  if (!alerts) return noAlerts();
  return { t: now, silence: await alerts.silences.create(now, caller.sub, body) };
}

export async function liftSilence(alerts: AlertsApiSource | undefined, caller: AlertsCaller, id: string, now: number): Promise<SilenceAnswer> {
  requireEngineer(caller);
  if (!alerts) return noAlerts();
  return { t: now, silence: await alerts.silences.lift(now, id, caller.sub) };
}

/**
 * The restaurant an episode id names (`<rule>/r:<rid>/<firedAt>`, alert-evaluator.ts episodeId),
 * null for a gateway or fleet alert; undefined when it is no episode id at all. Rule ids and rids
 * hold no `/`, so the split is exact.
 */
export function ridOfEpisodeId(id: string): string | null | undefined {
  const parts = id.split('/');
  if (parts.length !== 3 || !/^\d+$/.test(parts[2]!)) return undefined;
  const key = parts[1]!;
  if (key.startsWith('r:')) return key.slice(2);
  return key === 'fleet' || key.startsWith('g:') ? null : undefined;
}

export function episodeDeliveries(alerts: AlertsApiSource | undefined, caller: AlertsCaller, episode: string, now: number): DeliveriesAnswer {
  const rid = ridOfEpisodeId(episode);
  if (rid === undefined) throw new PulseError('NOT_FOUND', 'not an alert episode id');
  // Someone else's restaurant and a gateway or fleet alert look alike to a manager: not theirs.
  if (caller.restaurants !== null && (rid === null || !caller.restaurants.includes(rid))) throw new PulseError('NOT_IN_SCOPE');
  const records = alerts?.deliveries(episode) ?? [];
  return {
    t: now,
    episode,
    deliveries: records.map((r) => ({ id: r.id, webhook: r.webhook, status: r.status, state: r.state, attempts: r.attempts.map((a) => ({ ...a })), nextAttemptAt: r.nextAttemptAt })),
  };
}
