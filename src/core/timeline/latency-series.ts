/**
 * RTT and delivery latency of one terminal: figures from every sample, points for a chart
 * downsampled to at most ~500 (DESIGN.md, "Charts"). Downsampling keeps the shape — largest
 * triangle three buckets — because a support agent looks for the spikes, which an average per
 * bucket would flatten.
 */
import type { LatencySeries, SeriesPoint } from './timeline-types.ts';

/** Largest-triangle-three-buckets: the first and last points, and per bucket the most salient one. */
export function downsample(points: readonly SeriesPoint[], max: number): SeriesPoint[] {
  const n = points.length;
  const limit = Math.max(3, Math.floor(max));
  if (n <= limit) return [...points];
  const out: SeriesPoint[] = [points[0]!];
  const every = (n - 2) / (limit - 2);
  let a = 0;
  for (let i = 0; i < limit - 2; i++) {
    const start = Math.floor(i * every) + 1;
    const stop = Math.min(n - 1, Math.floor((i + 1) * every) + 1);
    // The average of the next bucket is the triangle's third corner.
    const nextStart = stop;
    const nextStop = Math.min(n, Math.floor((i + 2) * every) + 1);
    let avgT = 0;
    let avgV = 0;
    for (let j = nextStart; j < nextStop; j++) {
      avgT += points[j]!.t;
      avgV += points[j]!.v;
    }
    const span = Math.max(1, nextStop - nextStart);
    avgT /= span;
    avgV /= span;
    const pa = points[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < stop; j++) {
      const p = points[j]!;
      const area = Math.abs((pa.t - avgT) * (p.v - pa.v) - (pa.t - p.t) * (avgV - pa.v));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]!);
    a = best;
  }
  out.push(points[n - 1]!);
  return out;
}

/**
 * Nearest-rank percentile of raw samples, the definition `exactPercentile` in histogram.ts uses;
 * repeated here so the terminal page does not pull the HDR library into the browser for it.
 */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  values.sort((x, y) => x - y);
  const rank = Math.max(1, Math.ceil((p / 100) * values.length - 1e-9));
  return values[Math.min(rank, values.length) - 1] ?? null;
}

/** Points sorted by time (the caller's order is kept for equal times). */
export function latencySeries(points: readonly SeriesPoint[], maxPoints: number): LatencySeries {
  const finite = points.filter((p) => Number.isFinite(p.v) && Number.isFinite(p.t));
  finite.sort((x, y) => x.t - y.t);
  if (finite.length === 0) return { points: [], count: 0, mean: null, p95: null };
  let sum = 0;
  const values = finite.map((p) => {
    sum += p.v;
    return p.v;
  });
  return { points: downsample(finite, maxPoints), count: finite.length, mean: sum / finite.length, p95: nearestRank(values, 95) };
}
