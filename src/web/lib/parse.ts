/**
 * Small readers for REST answers: the API's shapes are documented in docs/api.md, but what comes
 * over the network is checked before it is shown — a missing number reads as "no data", not NaN.
 */
export type Json = Record<string, unknown>;

export function asObject(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** `{p50,p95,p99}` or null. */
export function percentiles(v: unknown): { p50: number; p95: number; p99: number } | null {
  const o = asObject(v);
  if (!o) return null;
  const p50 = num(o.p50);
  const p95 = num(o.p95);
  const p99 = num(o.p99);
  return p50 === null || p95 === null || p99 === null ? null : { p50, p95, p99 };
}

/** The `points` of a series answer; anything else is an empty series. */
export function seriesPoints(raw: unknown): unknown[] {
  return asArray(asObject(raw)?.points);
}

/** A point's bucket start (`t`, ms). */
export function timeOf(o: Json): number | null {
  return num(o.t);
}
