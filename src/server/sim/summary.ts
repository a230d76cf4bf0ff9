/** The end-of-run summary: what the fleet did, read from the ground-truth counters. */
import type { FleetCounters } from './counters.ts';

export interface FleetSummary {
  durationS: number;
  restaurants: number;
  terminals: number;
  connected: number;
  opens: number;
  closes: number;
  closesByCode: Record<number, number>;
  silentCloses: number;
  connectFails: number;
  retries: number;
  failed: number;
  pingsSent: number;
  pingsLost: number;
  pongs: number;
  ordersSent: number;
  ordersReceived: number;
  acksSent: number;
}

export function summarize(counters: FleetCounters, terminals: number, restaurants: number, elapsedMs: number): FleetSummary {
  const t = counters.total;
  return {
    durationS: Math.round(elapsedMs / 100) / 10,
    restaurants,
    terminals,
    connected: counters.connected,
    opens: t.opens,
    closes: t.closes,
    closesByCode: { ...t.closesByCode },
    silentCloses: t.silentCloses,
    connectFails: t.connectFails,
    retries: t.retries,
    failed: t.failed,
    pingsSent: t.pingsSent,
    pingsLost: t.pingsLost,
    pongs: t.pongs,
    ordersSent: t.ordersSent,
    ordersReceived: t.ordersReceived,
    acksSent: t.acksSent,
  };
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
