/**
 * Issue 18, item 8, at 1440 px (the config's viewport): "Connections by restaurant" shows the
 * largest restaurants as bands of their own — named in the legend, each its own colour, tall
 * enough to see beside "other restaurants", over the whole hour drawn — and the charts use the
 * width they are given instead of leaving part of it empty. The picture is saved as
 * test-results/screens/fleet-charts-1440.png.
 *
 * The hub runs two minutes before the page opens, so the hour's first part is history from the
 * store, whose fleet series has no per-restaurant split (it used to draw as one grey band), and
 * the rest is the live series.
 */
import { join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { parsePair, signIn } from './support/dashboard.ts';
import { repoRoot } from './support/pulse-system.ts';
import { useSystem } from './support/system-fixture.ts';

const restaurants = 24;
const system = useSystem({
  scenario: {
    name: 'e2e-fleet-charts',
    // Uneven sizes, as a real fleet: the largest restaurants are the ones charted by name.
    fleet: { restaurants, terminals: '2-6' },
    network: { default: 'lan' },
  },
});

/** Until 5 s into the minute after next (rollups are written when their minute closes). */
function msToSecondMinuteEnd(now = Date.now()): number {
  return Math.ceil(now / 60_000) * 60_000 + 60_000 + 5_000 - now;
}

interface Band {
  /** The legend's name for the band's colour. */
  name: string;
  fill: string;
  box: { x: number; width: number; height: number };
}

/**
 * The stacked areas as drawn, named the way a viewer names them: by the legend entry of the same
 * colour.
 */
async function bands(chart: Locator): Promise<Band[]> {
  return chart.evaluate((figure) => {
    const legend = new Map<string, string>();
    for (const li of figure.querySelectorAll('ul li')) {
      const swatch = li.querySelector('span');
      if (swatch) legend.set(getComputedStyle(swatch).backgroundColor, (li.textContent ?? '').trim());
    }
    return [...figure.querySelectorAll('path.recharts-area-area')].map((path) => {
      const fill = getComputedStyle(path).fill;
      const r = path.getBoundingClientRect();
      return { name: legend.get(fill) ?? `unnamed ${fill}`, fill, box: { x: Math.round(r.x), width: Math.round(r.width), height: Math.round(r.height) } };
    });
  });
}

test('connections by restaurant draws the largest restaurants as named bands over the hour, and the charts fill the width', async ({ page }) => {
  test.setTimeout(150_000);
  const sys = system();
  // Two minutes closed in the store before the page opens: the history part of the hour.
  await page.waitForTimeout(msToSecondMinuteEnd());
  await signIn(page, sys.printedLink);
  await expect.poll(async () => parsePair(await page.getByTestId('kpi-healthy-value').innerText()), { timeout: 15_000 }).toEqual([restaurants, restaurants]);
  await expect(page.getByLabel('Loading charts')).toHaveCount(0, { timeout: 10_000 });
  const chart = page.locator('figure', { has: page.getByText('Connections by restaurant', { exact: true }) });
  await expect(chart.locator('svg.recharts-surface')).toBeVisible();

  // Six named restaurants and "other restaurants", each its own colour, once the history is split.
  await expect.poll(async () => (await bands(chart)).map((b) => b.name).filter((n) => /^r-\d{3}$/.test(n)).length, { timeout: 20_000 }).toBe(6);
  await expect.poll(async () => (await bands(chart)).some((b) => b.name.startsWith('all restaurants')), { timeout: 10_000 }).toBe(false);
  const drawn = await bands(chart);
  expect(drawn.map((b) => b.name).sort()).toEqual([...drawn.filter((b) => /^r-/.test(b.name)).map((b) => b.name), 'other restaurants'].sort());
  expect(new Set(drawn.map((b) => b.fill)).size, 'every band its own colour').toBe(drawn.length);
  const other = drawn.find((b) => b.name === 'other restaurants')!;
  for (const band of drawn.filter((b) => b !== other)) {
    // Tall enough to see (a restaurant of 2–6 terminals among ~100 connections, 180 px high)…
    expect(band.box.height, `${band.name} is drawn tall enough to see`).toBeGreaterThanOrEqual(4);
    // …and over the whole hour drawn, history included, not only since the page opened.
    expect(band.box.width, `${band.name} spans the chart like "other"`).toBeGreaterThanOrEqual(other.box.width - 2);
    expect(band.box.x).toBeLessThanOrEqual(other.box.x + 2);
  }
  expect(other.box.width, 'history from before the page opened is drawn').toBeGreaterThan(100);

  // The charts use the width: two columns of two at 1440 px, the row reaching the grid's right edge.
  const grid = page.getByTestId('fleet-chart-grid');
  const gridBox = (await grid.boundingBox())!;
  const figures = await grid.locator('figure').evaluateAll((fs) => fs.map((f) => f.getBoundingClientRect()).map((r) => ({ x: r.x, right: r.right, width: r.width })));
  expect(figures).toHaveLength(4);
  expect(Math.max(...figures.map((f) => f.right)), 'the charts reach the right edge').toBeGreaterThanOrEqual(gridBox.x + gridBox.width - 2);
  for (const f of figures) expect(f.width, 'two charts a row').toBeGreaterThanOrEqual((gridBox.width - 8) / 2 - 2);
  const svgWidths = await grid.locator('svg.recharts-surface').evaluateAll((ss) => ss.map((s) => s.getBoundingClientRect().width));
  for (const w of svgWidths) expect(w, 'each chart is drawn as wide as its cell').toBeGreaterThanOrEqual((gridBox.width - 8) / 2 - 20);

  await page.screenshot({ path: join(repoRoot, 'test-results', 'screens', 'fleet-charts-1440.png'), fullPage: true });
});
