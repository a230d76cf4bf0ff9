/**
 * Acceptance: "The e2e run saves screenshots of the fleet view (dark and light) and a restaurant
 * view under test-results/." Saved as test-results/screens/{fleet-light,fleet-dark,restaurant}.png.
 *
 * Taken once the view is live and complete (figures, list, charts loaded), and only after checking
 * what the picture should show: the theme really switched (the page's colours changed, not only a
 * label), and the restaurant view holds that restaurant's terminals.
 */
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { restaurantRows, signIn } from './support/dashboard.ts';
import { repoRoot } from './support/pulse-system.ts';
import { useSystem } from './support/system-fixture.ts';
import { terminalsSeen } from './support/truth.ts';

const screens = join(repoRoot, 'test-results', 'screens');
const system = useSystem({
  scenario: {
    name: 'e2e-screenshots',
    fleet: { restaurants: 8, terminals: '2-5' },
    network: { default: 'wifi', mix: [{ profile: '4g', share: 0.25 }] },
    // Something to see: one restaurant down, one flapping.
    faults: [
      { type: 'outage', at: 2, duration: 600, restaurants: ['r-005'] },
      { type: 'flap', at: 1, duration: 600, everyS: 3, terminals: ['r-002-t1'] },
    ],
  },
});

async function pageColours(page: Page): Promise<{ theme: string | undefined; background: string; text: string }> {
  return page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
  }));
}

async function fleetReady(page: Page, restaurants: number): Promise<void> {
  await expect.poll(async () => (await restaurantRows(page)).length, { timeout: 10_000 }).toBe(restaurants);
  await expect(page.getByLabel('Loading charts')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
}

test('fleet view in light and dark, and a restaurant view', async ({ page }) => {
  const sys = system();
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await signIn(page, sys.printedLink);
  // r-005 is down: none of its terminals connected reads "offline" (src/core/figures.ts).
  await expect.poll(async () => (await restaurantRows(page)).find((r) => r.rid === 'r-005')?.status, { timeout: 10_000 }).toBe('offline');
  await fleetReady(page, 8);

  const light = await pageColours(page);
  expect(light.theme).toBe('light');
  await page.screenshot({ path: join(screens, 'fleet-light.png'), fullPage: true });

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  const dark = await pageColours(page);
  expect(dark.theme).toBe('dark');
  expect(dark.background, 'the page background changed with the theme').not.toBe(light.background);
  expect(dark.text, 'and so did the text colour').not.toBe(light.text);
  await fleetReady(page, 8);
  await page.screenshot({ path: join(screens, 'fleet-dark.png'), fullPage: true });

  // The restaurant view: searched for (the search is part of the URL), then opened with the keyboard.
  // (Rows re-sort as statuses change — r-002 flaps — so the search pins it rather than an arrow count.)
  await page.getByPlaceholder('Search restaurants').fill('r-002');
  await expect(page).toHaveURL(/[?&]q=r-002\b/);
  await expect.poll(async () => (await restaurantRows(page)).map((r) => r.rid)).toEqual(['r-002']);
  await page.getByTestId('restaurant-row-r-002').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${sys.hubUrl}/restaurants/r-002`);
  await expect(page.getByTestId('restaurant-page')).toBeVisible();
  await expect(page.getByTestId('terminal-table').locator('tbody tr')).toHaveCount(terminalsSeen(sys.truth(), 'r-002'), { timeout: 10_000 });
  await expect(page.getByText('Loading charts…')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByText('Loading history…')).toHaveCount(0, { timeout: 10_000 });
  await page.screenshot({ path: join(screens, 'restaurant.png'), fullPage: true });
});
