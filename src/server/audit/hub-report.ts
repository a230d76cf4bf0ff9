/**
 * `pulse report`: the diagnostic report of a terminal or a restaurant from a hub's API, in the
 * dashboard's own words — the timeline and the diagnosis are built by the same core functions the
 * terminal view uses (`buildTimeline`, `diagnose`), from the same endpoint, so support can paste
 * into a ticket exactly what the page says. Reading is `fetch*`; writing is `render*` (pure).
 */
import { buildTimeline } from '../../core/timeline/build-timeline.ts';
import { diagnose } from '../../core/timeline/diagnose.ts';
import { duration, millis, seconds, share } from '../../core/timeline/figure-text.ts';
import { timelineRulesOf } from '../../core/timeline/timeline-policy.ts';
import type { HeartbeatSample, TimelineEvent } from '../../core/timeline/timeline-types.ts';
import { apiErrorBodySchema, decodeAnswer, eventsPageAnswerSchema, restaurantAnswerSchema, type EventsPageAnswer, type RestaurantAnswer, type TerminalWire } from '../../protocol/api.ts';
import type { z } from 'zod';
import { plain } from './report-text.ts';

/** As the terminal view reads: 15 minutes before the window, for the close that opens it. */
export const lookbackMs = 15 * 60_000;
/** As the terminal view judges: events this recent may still be on their way to the store. */
const storeLagMs = 5_000;
const pageSize = 5000;
const maxPages = 10;

export type FormatTime = (t: number) => string;

/** "19:40", in this machine's zone — as the dashboard shows it in the viewer's. */
export const hourMinute: FormatTime = (t) => {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

async function getJson<T>(hub: string, path: string, token: string, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(new URL(path, hub), { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = apiErrorBodySchema.safeParse(body);
    throw new Error(`${path}: HTTP ${res.status}${error.success ? ` ${error.data.error.code}: ${error.data.error.message}` : ''}`);
  }
  const decoded = decodeAnswer(schema, body);
  if (!decoded.ok) throw new Error(`${path}: the hub's answer does not match the API (${decoded.detail})`);
  return decoded.value;
}

/**
 * Every page of a terminal's events from `from` to `to`. A terminal is (rid, tid): with `rid` the
 * canonical URL; without, the old bare-id one, which the hub refuses TERMINAL_AMBIGUOUS when more
 * than one restaurant (in the token's scope) has the id.
 */
export async function fetchTerminalEvents(hub: string, token: string, tid: string, from: number, to: number, rid?: string): Promise<EventsPageAnswer> {
  const path = rid === undefined ? `/api/terminals/${encodeURIComponent(tid)}/events` : `/api/restaurants/${encodeURIComponent(rid)}/terminals/${encodeURIComponent(tid)}/events`;
  const pages: EventsPageAnswer[] = [];
  let start = Math.floor(from);
  const end = Math.max(start + 1, Math.ceil(to));
  for (let i = 0; i < maxPages; i++) {
    const page = await getJson(hub, `${path}?from=${start}&to=${end}&limit=${pageSize}`, token, eventsPageAnswerSchema);
    pages.push(page);
    const last = page.events.at(-1);
    // Inclusive of the last time seen: the timeline drops the repeats.
    if (!page.more || !last || last.t <= start) break;
    start = last.t;
  }
  return { ...pages.at(-1)!, from: pages[0]!.from, events: pages.flatMap((p) => p.events) };
}

export function fetchRestaurant(hub: string, token: string, rid: string): Promise<RestaurantAnswer> {
  return getJson(hub, `/api/restaurants/${encodeURIComponent(rid)}`, token, restaurantAnswerSchema);
}

/** The terminal's report for [from, to], as of `now`. */
/**
 * The terminal's live status as a heartbeat sample, as the terminal view's first poll makes it
 * (on-time heartbeats are counted, not stored: the live status holds the last one and its RTT).
 */
function statusSample(status: TerminalWire | undefined, events: EventsPageAnswer['events']): HeartbeatSample | null {
  if (!status || status.state !== 'connected' || status.lastHeartbeatAt === null || status.connectedSince === null || status.lastHeartbeatAt < status.connectedSince) return null;
  const open = events.findLast((e) => e.type === 'open' && e.t <= status.connectedSince! + 1000);
  const conn = open?.type === 'open' ? open.conn : `live-${status.connectedSince}`;
  return status.rttMs === null ? { type: 'heartbeat', t: status.lastHeartbeatAt, conn, onTime: true } : { type: 'heartbeat', t: status.lastHeartbeatAt, conn, onTime: true, rtt: status.rttMs };
}

export function renderTerminalReport(page: EventsPageAnswer, w: { from: number; to: number; now: number; fetchedAt: number; status?: TerminalWire }, formatTime: FormatTime = hourMinute): string {
  const sample = statusSample(w.status, page.events);
  const events: TimelineEvent[] = sample ? [...page.events, sample] : page.events;
  const timeline = buildTimeline({ events, from: w.from, to: w.to, now: w.now, ...timelineRulesOf(page.policy), heartbeatsFrom: w.fetchedAt, recordsUntil: w.fetchedAt - storeLagMs });
  const r = diagnose(timeline, Math.max(w.now, timeline.end), { formatTime });
  const out = [`Terminal ${page.tid} of restaurant ${page.rid}, ${formatTime(w.from)}–${formatTime(Math.min(w.to, w.now))}`, ''];
  const figures: [string, string][] = [
    ['State', r.state + (r.uptimeMs !== null ? `, up ${duration(r.uptimeMs)}` : r.since !== null ? ` since ${formatTime(r.since)}` : '')],
    ['Stability', r.stability === null ? 'no data' : `${share(r.stability)} of the window connected`],
    ['Reconnect attempts', `${r.reconnectAttempts}${r.attemptsTooSoon > 0 ? ` (${r.attemptsTooSoon} too soon)` : ''}`],
    ['Last heartbeat', r.lastHeartbeatAgoMs === null ? 'none seen' : `${seconds(r.lastHeartbeatAgoMs)} ago`],
    ['RTT avg / p95', r.rtt.count > 0 && r.rtt.mean !== null && r.rtt.p95 !== null ? `${millis(r.rtt.mean)} / ${millis(r.rtt.p95)} (${r.rtt.count} samples)` : 'no data'],
    ['Delivery avg / p95', r.latency.count > 0 && r.latency.mean !== null && r.latency.p95 !== null ? `${millis(r.latency.mean)} / ${millis(r.latency.p95)} (${r.latency.count} samples)` : 'no data'],
  ];
  for (const [k, v] of figures) out.push(`${`${k}:`.padEnd(20)} ${v}`);
  // Close reasons inside the sentences are terminal-provided: printed as text, never as commands.
  out.push('', 'Diagnosis:', ...r.lines.map((l) => `  ${plain(l)}`));
  if (r.issues.length) out.push('', 'Issues found:', ...r.issues.map((i) => `  - ${plain(i.text)}`));
  out.push('', `Rules: heartbeat ${millis(page.policy.heartbeatIntervalMs)} + ${millis(page.policy.graceMs)} grace, backoff ${millis(page.policy.backoffBaseMs)} → ${millis(page.policy.backoffCapMs)}, stable after ${millis(page.policy.stableAfterMs)}.`);
  return out.join('\n') + '\n';
}

const pct = (p: { p50: number; p95: number; p99: number } | null) => (p ? `p50 ${millis(p.p50)}, p95 ${millis(p.p95)}, p99 ${millis(p.p99)}` : 'no data');

export function renderRestaurantReport(a: RestaurantAnswer, now: number, formatTime: FormatTime = hourMinute): string {
  const f = a.restaurant;
  const out = [`Restaurant ${f.rid} at ${formatTime(a.t)}: ${f.status}`, ''];
  const errors = Object.entries(f.errors).filter(([, n]) => (n ?? 0) > 0);
  const figures: [string, string][] = [
    ['Connected', `${f.connections} / ${f.expected} expected`],
    ['Stability', f.stability === null ? 'no data' : share(f.stability)],
    ['Heartbeat success', f.heartbeatSuccess === null ? 'no data' : share(f.heartbeatSuccess)],
    ['Heartbeat RTT', pct(f.rttMs)],
    ['Delivery latency', pct(f.deliveryMs)],
    ['Reconnects', `${f.reconnectsPerMin.toFixed(1)}/min`],
    ['Errors', `${f.errorsPerMin.toFixed(1)}/min${errors.length ? ` (${errors.map(([k, n]) => `${k.replaceAll('_', ' ')} ${n}`).join(', ')})` : ''}`],
  ];
  for (const [k, v] of figures) out.push(`${`${k}:`.padEnd(20)} ${v}`);
  out.push('', 'Terminals:');
  for (const t of a.terminals) {
    const state = t.state === 'connected' ? `connected${t.connectedSince !== null ? ` for ${duration(Math.max(0, now - t.connectedSince))}` : ''}` : `disconnected${t.disconnectedAt !== null ? ` since ${formatTime(t.disconnectedAt)}` : ''}`;
    const beat = t.lastHeartbeatAt === null ? 'no heartbeat' : `last heartbeat ${seconds(Math.max(0, now - t.lastHeartbeatAt))} ago`;
    // The close reason is terminal-provided text: quoted as data, control characters escaped.
    const close = t.lastClose ? `, last close ${t.lastClose.code} ${t.lastClose.cause.replaceAll('_', ' ')}${t.lastClose.reason ? ` ${JSON.stringify(t.lastClose.reason)}` : ''}` : '';
    out.push(`  ${t.tid.padEnd(16)} ${t.health.padEnd(9)} ${state}; ${beat}${close}`);
  }
  const troubled = a.terminals.filter((t) => t.state !== 'connected' || t.health === 'unhealthy' || t.health === 'degraded');
  out.push('', troubled.length ? `Issues found:\n${troubled.map((t) => `  - ${t.tid}: ${t.state === 'connected' ? t.health : 'disconnected'}${t.lastClose ? ` (last close ${t.lastClose.code} ${t.lastClose.cause.replaceAll('_', ' ')})` : ''}`).join('\n')}` : 'No issues found.');
  out.push('', `For one terminal's timeline and issues: pulse report terminal <tid>`);
  return out.join('\n') + '\n';
}
