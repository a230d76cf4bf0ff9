/**
 * Issue 18, item 4: the dashboard under its Content-Security-Policy, in Chromium. The app works
 * with it — signs in over `/live`, shows the fleet, live changes arrive, lazy chunks (charts, the
 * restaurant and terminal views) load — and it reports no violation doing so; while an inline
 * script, an inline event handler and a script from another host, injected into the page, do not
 * run.
 *
 * Violations are collected by a listener installed before any page script (Playwright's init
 * scripts run as the browser's own, outside the page's policy), so one fired during the first
 * load is counted too.
 */
import { expect, test, type Page } from '@playwright/test';
import { recordRowChanges, restaurantRows, rowChanges, signIn } from './support/dashboard.ts';
import { useSystem } from './support/system-fixture.ts';

const system = useSystem({
  scenario: {
    name: 'e2e-csp',
    fleet: { restaurants: 4, terminals: 3 },
    network: { default: 'lan' },
    // A live change to wait for: r-003 goes down and comes back.
    faults: [{ type: 'outage', at: 5, duration: 4, restaurants: ['r-003'] }],
  },
});

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  /** Where it happened: the script, line and column. */
  at: string;
}

async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string; sample: string; at: string }[] = [];
    (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, at: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` }));
  });
}

const violations = (page: Page): Promise<Violation[]> => page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);

test('the dashboard works under its CSP and reports no violation', async ({ page }) => {
  const sys = system();
  await recordViolations(page);
  const indexAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/');
  await signIn(page, sys.printedLink);
  const policy = (await (await indexAnswer).headerValue('content-security-policy')) ?? '';
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain('unsafe-eval');

  // The fleet is shown, the charts (a lazy chunk) drew, and live changes arrive: r-003 out and back.
  await recordRowChanges(page);
  await expect.poll(async () => (await restaurantRows(page)).length, { timeout: 15_000 }).toBe(4);
  await expect(page.getByLabel('Loading charts')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.locator('figure svg.recharts-surface').first()).toBeVisible();
  await expect.poll(async () => (await rowChanges(page, 'r-003')).some((c) => c.status === 'offline'), { timeout: 20_000 }).toBe(true);
  await expect.poll(async () => (await rowChanges(page, 'r-003')).at(-1)?.connections, { timeout: 20_000 }).toBe(3);

  // Another lazy route and its charts.
  await page.getByTestId('restaurant-row-r-001').click();
  await expect(page.getByTestId('restaurant-page')).toBeVisible();
  await expect(page.getByText('Loading charts…')).toHaveCount(0, { timeout: 10_000 });
  // And the terminal view (its own chunks: timeline, heartbeat strip, latency chart), in the app.
  const row = page.getByTestId('terminal-row-r-001-t1');
  await expect(row).toBeVisible({ timeout: 10_000 });
  await row.getByRole('link', { name: 'r-001-t1', exact: true }).click();
  await expect(page.getByTestId('terminal-page')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('heartbeat-strip')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

  expect(await violations(page)).toEqual([]);
});

test('an injected inline script, inline handler or foreign script does not run', async ({ page }) => {
  const sys = system();
  await recordViolations(page);
  await signIn(page, sys.printedLink);

  // The way an XSS would arrive: markup put into the page.
  const injected = await page
    .addScriptTag({ content: 'window.__injected = "inline script"' })
    .then(() => 'added')
    .catch((error: unknown) => String(error));
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<img id="xss-img" src="/no-such-image.png" onerror="window.__injected = \'inline handler\'">');
    const s = document.createElement('script');
    s.src = 'https://example.invalid/evil.js';
    document.body.append(s);
  });
  await expect.poll(async () => (await violations(page)).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);

  expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected), `addScriptTag: ${injected}`).toBeUndefined();
  const seen = await violations(page);
  expect(seen).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ directive: 'script-src-elem', blocked: 'inline' }),
      expect.objectContaining({ directive: 'script-src-attr', blocked: 'inline' }),
      expect.objectContaining({ directive: 'script-src-elem', blocked: 'https://example.invalid/evil.js' }),
    ]),
  );
  // The dashboard itself carries on.
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
});
