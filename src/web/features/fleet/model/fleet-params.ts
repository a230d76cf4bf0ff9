/**
 * The fleet view's filters live in the URL (`/?q=&status=&feedType=&feedRid=`), so every filtered
 * view is a link a colleague can open. Unknown values are ignored, never trusted.
 */
import type { HealthStatus, LiveEventType } from '../../../../protocol/live.ts';
import { isEventType } from '../../../lib/describe-event.ts';
import { isHealthStatus } from '../../../lib/health-status.ts';

export interface FleetParams {
  /** Restaurant search (id substring, case-insensitive). */
  q: string;
  status: HealthStatus | null;
  feedType: LiveEventType | null;
  /** Feed restricted to one restaurant id (exact). */
  feedRid: string;
}

export type FleetParamName = keyof FleetParams;

export function readFleetParams(params: URLSearchParams): FleetParams {
  const status = params.get('status');
  const feedType = params.get('feedType');
  return {
    q: (params.get('q') ?? '').slice(0, 64),
    status: isHealthStatus(status) ? status : null,
    feedType: isEventType(feedType) ? feedType : null,
    feedRid: (params.get('feedRid') ?? '').slice(0, 64),
  };
}

/** The same params with one changed; an empty value removes it, keeping URLs short. */
export function withFleetParam(params: URLSearchParams, name: FleetParamName, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value.trim() === '') next.delete(name);
  else next.set(name, value);
  return next;
}
