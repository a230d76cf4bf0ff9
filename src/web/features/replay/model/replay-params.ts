/**
 * `/replay?from&to&at&speed`: the deep link to an instant. Times in ms since epoch; missing ones
 * default around what is given (an hour ending now; `at` alone: the half hours around it); a
 * value that is no time is ignored rather than guessed at. The markers' endpoint spans a day at
 * most, and so does a replay window.
 */
import { isReplaySpeed, type ReplaySpeed } from './replay-cursor.ts';

const HOUR = 3_600_000;
export const maxReplaySpanMs = 24 * HOUR;

export interface ReplayParams {
  from: number;
  to: number;
  at: number;
  speed: ReplaySpeed;
}

function ms(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  return raw !== null && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

export function readReplayParams(params: URLSearchParams, now: number): ReplayParams {
  const at0 = ms(params, 'at');
  let to = Math.min(now, ms(params, 'to') ?? (at0 === null ? now : at0 + HOUR / 2));
  let from = ms(params, 'from') ?? (at0 === null ? to - HOUR : at0 - HOUR / 2);
  if (from >= to) from = to - HOUR;
  if (to - from > maxReplaySpanMs) to = from + maxReplaySpanMs;
  const at = Math.min(to, Math.max(from, at0 ?? from));
  const speed = Number(params.get('speed'));
  return { from, to, at, speed: isReplaySpeed(speed) ? speed : 1 };
}

/** The params with the cursor's instant (to the ms: a marker's instant is one) and speed; others kept. */
export function withReplayParams(prev: URLSearchParams, p: ReplayParams): URLSearchParams {
  const next = new URLSearchParams(prev);
  next.set('from', String(p.from));
  next.set('to', String(p.to));
  next.set('at', String(Math.floor(p.at)));
  next.set('speed', String(p.speed));
  return next;
}
