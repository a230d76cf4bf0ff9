/**
 * Reading the dashboard the way a viewer does — through what is on screen (testids and the words
 * shown), not through the app's internals — plus a few page-side recorders whose timestamps let a
 * spec say *when* something appeared, not merely that it did.
 */
import { expect, type Page } from '@playwright/test';
import { redact } from './child.ts';

/** Opens a `/#token=…` link. A failed navigation is rethrown without the token in its message. */
export async function openLink(page: Page, link: string): Promise<void> {
  try {
    await page.goto(link, { waitUntil: 'domcontentloaded', timeout: 15_000 });
  } catch (error) {
    // Not chained as `cause`: Playwright's message names the URL, and with it the token.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(redact(error instanceof Error ? error.message : String(error)));
  }
}

/** Opens the link and waits until the dashboard's own connection says "Live". */
export async function signIn(page: Page, link: string): Promise<void> {
  await openLink(page, link);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 15_000 });
}

/** "12 / 14" → [12, 14] */
export function parsePair(text: string): [number, number] {
  const m = text.replace(/,/g, '').match(/(\d+)\s*\/\s*(\d+)/);
  if (!m) throw new Error(`not an "N / M" figure: ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2])];
}

/** The fleet's "Connected terminals" tile as [connected, expected]. */
export async function connectedTile(page: Page): Promise<[number, number]> {
  return parsePair(await page.getByTestId('kpi-connected-value').innerText());
}

export interface RowOnScreen {
  rid: string;
  status: string;
  connections: number;
  expected: number;
  /** The status in words, as the badge shows it. */
  statusText: string;
}

/** Every restaurant row in the list (the list is virtualized: the specs keep fleets smaller than a screen). */
export async function restaurantRows(page: Page): Promise<RowOnScreen[]> {
  return page.locator('[data-testid^="restaurant-row-"][data-rid]').evaluateAll((links) =>
    links.map((a) => {
      const cells = a.children;
      const pair = (cells[2]?.textContent ?? '').match(/(\d+)\s*\/\s*(\d+)/);
      return {
        rid: a.getAttribute('data-rid') ?? '',
        status: a.getAttribute('data-status') ?? '',
        connections: pair ? Number(pair[1]) : NaN,
        expected: pair ? Number(pair[2]) : NaN,
        statusText: (cells[0]?.textContent ?? '').trim(),
      };
    }),
  );
}

/** The event feed's rows as shown, newest first: "12:04:05 Connected r-001 · r-001-t2" (time, what, who and detail). */
export async function feedTexts(page: Page): Promise<string[]> {
  return page
    .getByTestId('event-feed')
    .locator('li[data-event-type]')
    .evaluateAll((lis) => lis.map((li) => [...li.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()).join(' ')));
}

/**
 * A marker in the page's JS realm: a reload or a navigation to a new document would lose it, so
 * finding it again proves the page recovered in place.
 */
export async function setPageMarker(page: Page): Promise<string> {
  const marker = `e2e-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((m) => ((window as unknown as { __e2eMarker?: string }).__e2eMarker = m), marker);
  return marker;
}

export async function pageMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker);
}

export interface RowChange {
  t: number;
  rid: string;
  status: string;
  connections: number;
}

/**
 * Records, with the page's clock (the same machine clock the simulator stamps its truth with),
 * every change of a restaurant row's status or connection count, so a spec can measure how long
 * after a fault the screen showed it. Read back with `rowChanges`.
 */
export async function recordRowChanges(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __e2eRows?: { t: number; rid: string; status: string; connections: number }[] };
    if (w.__e2eRows) return;
    const log: { t: number; rid: string; status: string; connections: number }[] = (w.__e2eRows = []);
    const last = new Map<string, string>();
    const scan = (): void => {
      for (const a of document.querySelectorAll('[data-testid^="restaurant-row-"][data-rid]')) {
        const rid = a.getAttribute('data-rid') ?? '';
        const status = a.getAttribute('data-status') ?? '';
        const connections = Number(a.getAttribute('data-connections'));
        const key = `${status}|${connections}`;
        if (last.get(rid) === key) continue;
        last.set(rid, key);
        log.push({ t: Date.now(), rid, status, connections });
      }
    };
    scan();
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-connections'] });
  });
}

export async function rowChanges(page: Page, rid: string): Promise<RowChange[]> {
  return page.evaluate((r) => ((window as unknown as { __e2eRows?: RowChange[] }).__e2eRows ?? []).filter((c) => c.rid === r), rid);
}

export interface TextChange {
  t: number;
  text: string;
}

/** Records, with the page's clock, every text the element with this test id shows (read back with `textChanges`). */
export async function recordText(page: Page, testId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { __e2eText?: Record<string, { t: number; text: string }[]> };
    const all = (w.__e2eText ??= {});
    if (all[id]) return;
    const log: { t: number; text: string }[] = (all[id] = []);
    const scan = (): void => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
      if (text !== null && log.at(-1)?.text !== text) log.push({ t: Date.now(), text });
    };
    scan();
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, testId);
}

export async function textChanges(page: Page, testId: string): Promise<TextChange[]> {
  return page.evaluate((id) => (window as unknown as { __e2eText?: Record<string, TextChange[]> }).__e2eText?.[id] ?? [], testId);
}

export interface LiveFrameSeen {
  /** Which socket of the page it came on (1, 2, … in the order the page opened them). */
  socket: number;
  text: string;
}

/**
 * Every frame the page receives on `/live`, in order, as the browser got it (before the app's own
 * decoding): call before the page navigates.
 */
export function captureLiveFrames(page: Page): LiveFrameSeen[] {
  const frames: LiveFrameSeen[] = [];
  let sockets = 0;
  page.on('websocket', (ws) => {
    if (!new URL(ws.url()).pathname.endsWith('/live')) return;
    const socket = ++sockets;
    ws.on('framereceived', ({ payload }) => frames.push({ socket, text: typeof payload === 'string' ? payload : payload.toString('utf8') }));
  });
  return frames;
}
