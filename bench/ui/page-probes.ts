/**
 * What the bench installs in the page before the SPA runs: observers of the SPA's own `pulse:tick`
 * measures (src/web/live/tick-meter.ts: applying a batch of frames and React's render of it) and of
 * long tasks (> 50 ms on the main thread, whatever caused them), and a count of the bytes each
 * WebSocket message brought. Counting in the page costs a string's length per message; the
 * DevTools Network domain would instead copy every payload out of the renderer, on its main
 * thread, and skew the very figures measured. Entries wait in small arrays that the bench drains
 * every few seconds, so the page's heap is not grown by the measuring.
 *
 * The script is a string: it runs in the browser, and this file is compiled for Node.
 */
import type { Page } from 'playwright-core';

export const probeScript = `(() => {
  const ticks = [];
  const longTasks = [];
  const frames = [];
  const Native = window.WebSocket;
  // Frames are JSON text of ASCII keys and ids: the string's length is its size in bytes on the wire.
  const count = (e) => frames.push(performance.now(), typeof e.data === 'string' ? e.data.length : e.data.byteLength ?? e.data.size ?? 0);
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', count);
    }
  };
  const observe = (type, keep) => {
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) keep(e); }).observe({ type, buffered: true });
    } catch (error) {
      console.warn('bench: cannot observe ' + type, error);
    }
  };
  observe('measure', (e) => { if (e.name === 'pulse:tick') ticks.push(e.startTime, e.duration, e.detail?.decodeMs ?? 0, e.detail?.storeMs ?? 0, e.detail?.renderMs ?? 0); });
  observe('longtask', (e) => longTasks.push(e.startTime, e.duration));
  Object.defineProperty(window, '__pulseBench', {
    value: {
      drain() {
        const out = { now: performance.now(), ticks: ticks.splice(0), longTasks: longTasks.splice(0), frames: frames.splice(0) };
        return out;
      },
    },
  });
})();`;

/** A span of main-thread time: `[start, duration]` in the page's clock (ms since navigation). */
export type Span = readonly [number, number];
/** A `pulse:tick`: `[start, duration, and of it: decoding, reducer + store, React's render]` (ms). */
export type Tick = readonly [number, number, number, number, number];

export interface Drained {
  /** The page's clock when drained. */
  now: number;
  ticks: Tick[];
  longTasks: Span[];
  /** `[received at, bytes]` per WebSocket message. */
  frames: Span[];
}

const pairs = (flat: number[]): Span[] => {
  const out: Span[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};
const fives = (flat: number[]): Tick[] => {
  const out: Tick[] = [];
  for (let i = 0; i + 4 < flat.length; i += 5) out.push([flat[i]!, flat[i + 1]!, flat[i + 2]!, flat[i + 3]!, flat[i + 4]!]);
  return out;
};

export async function drainProbes(page: Page): Promise<Drained> {
  const raw = (await page.evaluate('window.__pulseBench.drain()')) as { now: number; ticks: number[]; longTasks: number[]; frames: number[] };
  return { now: raw.now, ticks: fives(raw.ticks), longTasks: pairs(raw.longTasks), frames: pairs(raw.frames) };
}

/** The page's clock now (ms since navigation), to mark the edges of a window. */
export async function pageNow(page: Page): Promise<number> {
  return (await page.evaluate('performance.now()')) as number;
}
