/**
 * The drill-down's cost: from the moment a support agent navigates (in the SPA, as a click on a
 * terminal link does) to `/restaurants/:rid/terminals/:tid?window=24h` until the timeline — connection bar and
 * heartbeat strip — is on screen and painted. The terminal's day was seeded into the store
 * (terminal-seed.ts), so the time includes reading it from the hub, building the timeline and
 * rendering it. The lazy chunk is already cached only if an earlier visit loaded it; here it is not.
 */
import type { Page, Response } from 'playwright-core';
import { drainProbes } from './page-probes.ts';
import type { TerminalViewTiming } from './ui-report.ts';

const rendered = `(async (path) => {
  const ready = () => document.querySelector('[data-testid="connection-bar"]') && document.querySelector('[data-testid="heartbeat-strip"]');
  const t0 = performance.now();
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate', { state: null }));
  await new Promise((resolve, reject) => {
    if (ready()) return resolve();
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('the timeline did not render within 30 s')); }, 30000);
    const observer = new MutationObserver(() => {
      if (!ready()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  // The frame that shows it: a rAF runs before its paint, a task queued from it runs after.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return { t0, ms: performance.now() - t0 };
})`;

export async function timeTerminalView(page: Page, rid: string, tid: string): Promise<TerminalViewTiming> {
  // The canonical page and its API (a terminal is (rid, tid)): the bare-id URL would add a redirect.
  const terminalPath = `/restaurants/${encodeURIComponent(rid)}/terminals/${encodeURIComponent(tid)}`;
  await drainProbes(page);
  let events = 0;
  const reads: Promise<void>[] = [];
  const onResponse = (response: Response): void => {
    if (!response.url().includes(`/api${terminalPath}/events`)) return;
    reads.push(
      response
        .json()
        .then((body: { events?: unknown[] }) => void (events += body.events?.length ?? 0))
        .catch(() => {}),
    );
  };
  page.on('response', onResponse);
  try {
    const path = `${terminalPath}?window=24h`;
    const { t0, ms } = (await page.evaluate(`${rendered}(${JSON.stringify(path)})`)) as { t0: number; ms: number };
    await Promise.all(reads);
    const { longTasks } = await drainProbes(page);
    return { ms, events, longTasks: longTasks.filter(([start]) => start >= t0 && start <= t0 + ms).length };
  } finally {
    page.off('response', onResponse);
  }
}
