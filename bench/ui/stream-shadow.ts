/**
 * A second viewer beside the browser, with the same token and so the same frames: it says what the
 * stream's bytes are made of (frames by type, restaurants and events a delta, and which figures
 * changed in the restaurants a delta re-sent), so a stream over budget comes with its reason. It
 * reads in Node, not in the page, so that the explaining costs the page nothing.
 */
import { WebSocket } from 'ws';
import { liveSubprotocol } from '../../src/protocol/live.ts';

export interface ShadowFrame {
  /** Our clock (ms since epoch). */
  at: number;
  bytes: number;
  type: string;
  restaurants: number;
  events: number;
  /** For a delta: how many of its restaurants had each field changed since they were last sent. */
  changedFields: Record<string, number>;
  /** For a delta: how many of its restaurants changed in what the restaurant list shows (see `shownKey`). */
  shownChanged: number;
}

export interface StreamShadow {
  readonly frames: ShadowFrame[];
  close(): void;
}

type Figures = Record<string, unknown> & { rid: string };

const round = (v: unknown, step: number): string => (typeof v === 'number' ? String(Math.floor(v / step)) : String(v));
const ms = (v: unknown): string => (typeof v !== 'number' ? String(v) : v < 1000 ? String(Math.round(v)) : (v / 1000).toFixed(1));

/**
 * A restaurant as the fleet list shows it, at the precision it shows (status, connected /
 * expected, reconnects and errors a minute to 0.1, heartbeat success to 0.1 %, RTT p95 to the ms):
 * what a delta would carry if the hub sent only what changes on screen. A projection for the
 * report, not a contract.
 */
export function shownKey(r: Figures): string {
  const rtt = r.rttMs as { p95?: number } | null;
  return [r.status, r.connections, r.expected, round(r.reconnectsPerMin, 0.1), round(r.heartbeatSuccess, 0.001), ms(rtt?.p95 ?? null), round(r.errorsPerMin, 0.1)].join('|');
}

export function watchStream(hubUrl: string, token: string): StreamShadow {
  const frames: ShadowFrame[] = [];
  const last = new Map<string, Record<string, string>>();
  const lastShown = new Map<string, string>();
  const ws = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}/live`, [liveSubprotocol, `bearer.${token}`]);
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    const frame: ShadowFrame = { at: Date.now(), bytes: (data as Buffer).length, type: '?', restaurants: 0, events: 0, changedFields: {}, shownChanged: 0 };
    try {
      const f = JSON.parse(text) as { type?: string; restaurants?: Figures[]; events?: unknown[] };
      frame.type = f.type ?? '?';
      frame.restaurants = f.restaurants?.length ?? 0;
      frame.events = f.events?.length ?? 0;
      for (const r of f.restaurants ?? []) {
        const fields = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, JSON.stringify(v)]));
        const before = last.get(r.rid);
        // A delta's restaurant is a patch (protocol/live.ts): what the list shows is the merge.
        last.set(r.rid, f.type === 'delta' ? { ...before, ...fields } : fields);
        const shown = shownKey(Object.fromEntries(Object.entries(last.get(r.rid)!).map(([k, v]) => [k, JSON.parse(v) as unknown])) as Figures);
        if (f.type === 'delta' && lastShown.get(r.rid) !== shown) frame.shownChanged++;
        lastShown.set(r.rid, shown);
        if (!before || f.type !== 'delta') continue;
        for (const [k, v] of Object.entries(fields)) if (before[k] !== v) frame.changedFields[k] = (frame.changedFields[k] ?? 0) + 1;
      }
    } catch {
      // Not JSON: counted by its bytes alone.
    }
    frames.push(frame);
  });
  return { frames, close: () => ws.close() };
}

/** Per field, the share of re-sent restaurants in which it changed, most frequent first. */
export function changedFieldShares(frames: readonly ShadowFrame[]): Array<[string, number]> {
  const deltas = frames.filter((f) => f.type === 'delta');
  const sent = deltas.reduce((n, f) => n + f.restaurants, 0);
  const counts: Record<string, number> = {};
  for (const f of deltas) for (const [k, n] of Object.entries(f.changedFields)) counts[k] = (counts[k] ?? 0) + n;
  return Object.entries(counts)
    .map(([k, n]): [string, number] => [k, sent > 0 ? n / sent : 0])
    .sort((a, b) => b[1] - a[1]);
}
