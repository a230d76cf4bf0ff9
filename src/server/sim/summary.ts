/** The end-of-run summary: what the fleet did, read from the ground-truth counters. */
import { summaryCounts, type FleetCounters, type SummaryCount, type Tally } from './counters.ts';

export type FleetSummary = {
  durationS: number;
  restaurants: number;
  terminals: number;
  connected: number;
  closesByCode: Record<number, number>;
} & Pick<Tally, SummaryCount>;

export function summarize(counters: FleetCounters, terminals: number, restaurants: number, elapsedMs: number): FleetSummary {
  const t = counters.total;
  const out = { durationS: Math.round(elapsedMs / 100) / 10, restaurants, terminals, connected: counters.connected } as FleetSummary;
  for (const k of summaryCounts) {
    out[k] = t[k];
    // Where it always stood in the printed JSON: after the closes it breaks down.
    if (k === 'closes') out.closesByCode = { ...t.closesByCode };
  }
  return out;
}

export function formatSummary(s: FleetSummary): string {
  const codes = Object.entries(s.closesByCode)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  return [
    `sim summary after ${s.durationS} s: ${s.restaurants} restaurants, ${s.terminals} terminals, ${s.connected} connected at the end`,
    `  connections: ${s.opens} opened, ${s.closes} closed${codes ? ` (codes ${codes})` : ''}${s.silentCloses ? `, ${s.silentCloses} of them silenced` : ''}`,
    `  attempts: ${s.connectFails} failed, ${s.retries} retries scheduled, ${s.failed} terminals gave up`,
    `  heartbeats: ${s.pingsSent} pings (${s.pingsLost} lost on the way), ${s.pongs} pongs`,
    `  orders: ${s.ordersSent} sent, ${s.ordersReceived} received, ${s.acksSent} acked`,
  ].join('\n');
}
