/**
 * Query parameters of the REST API, checked strictly: a window that is not one is a 400
 * BAD_REQUEST naming the parameter, never a guess (a chart silently showing another window lies).
 */
import { PulseError } from '../../../protocol/errors.ts';

export type Window = { from: number; to: number };

/** Longest window a call may ask for: a year and a bit; the store keeps 30 days of minutes anyway. */
export const maxWindowMs = 400 * 86_400_000;

function msParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new PulseError('BAD_REQUEST', `${name} must be a time in ms since epoch`);
  return Number(raw);
}

/** `from`/`to` in ms since epoch, half-open; defaults: `to` = now, `from` = `to` − `defaultSpanMs`. */
export function windowOf(params: URLSearchParams, now: number, defaultSpanMs: number): Window {
  const to = msParam(params, 'to') ?? now;
  const from = msParam(params, 'from') ?? to - defaultSpanMs;
  if (from >= to) throw new PulseError('BAD_REQUEST', 'from must be before to');
  if (to - from > maxWindowMs) throw new PulseError('BAD_REQUEST', `the window may span at most ${maxWindowMs / 86_400_000} days`);
  return { from, to };
}

export function limitOf(params: URLSearchParams, fallback: number, max: number): number {
  const raw = params.get('limit');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d{1,6}$/.test(raw) || n < 1 || n > max) throw new PulseError('BAD_REQUEST', `limit must be a whole number from 1 to ${max}`);
  return n;
}
